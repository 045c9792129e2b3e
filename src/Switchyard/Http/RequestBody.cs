using System.Buffers;
using System.Text.Json;
using System.Runtime.InteropServices;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.Http;

/// <summary>Reads a JSON request body within the size limit and parses it, with a clear problem for each way it can be wrong.</summary>
internal static class RequestBody
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };

    /// <summary>
    /// Reads the body as one JSON object of at most <paramref name="maxBytes"/> (<paramref name="limitName"/> names the
    /// setting in the 413). A body without a JSON content type is a 415 naming <paramref name="expected"/>.
    /// </summary>
    public static async Task<(JsonDocument? Document, RequestProblem? Problem)> ReadJsonAsync(
        HttpContext http, long maxBytes, string limitName, string expected, CancellationToken cancellationToken)
    {
        var request = http.Request;
        var contentType = request.ContentType;
        if (contentType is null ? request.ContentLength != 0 : !IsJson(contentType))
        {
            var given = contentType is null ? "No Content-Type" : $"Content-Type '{Printable(contentType)}'";
            return (null, new RequestProblem(415, $"{given} is not supported here; send {expected}", null, "unsupported_media_type"));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes, limitName));
        }

        // The endpoint's own limit, so Kestrel stops reading a body that lies about (or omits) its length.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = maxBytes + 1;
        }

        try
        {
            return await ParseAsync(request, maxBytes, limitName, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(maxBytes, limitName)
                : new RequestProblem(400, $"The request body could not be read: {ex.Message}", null, "invalid_body"));
        }
    }

    private static bool IsJson(string contentType)
    {
        var mediaType = contentType.AsSpan();
        if (mediaType.IndexOf(';') is >= 0 and var parameters)
        {
            mediaType = mediaType[..parameters];
        }

        mediaType = mediaType.Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase));
    }

    // A hostile header is echoed at most 100 printable characters long.
    private static string Printable(string text)
    {
        var clean = new string(text.Where(c => !char.IsControl(c)).Take(100).ToArray());
        return text.Length > 100 ? clean + "…" : clean;
    }

    // The body is read into a pooled buffer and parsed into a document that owns an exact copy: a request costs its
    // body's size once, not a fresh growing buffer (that was a quarter of the bytes a chat request allocated).
    private static async Task<(JsonDocument? Document, RequestProblem? Problem)> ParseAsync(HttpRequest request, long maxBytes, string limitName, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength + 1 : 4096);
        var length = 0;
        try
        {
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                    if (length > maxBytes)
                    {
                        return (null, TooLarge(maxBytes, limitName));
                    }
                }
            }
            catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                return (null, TooLarge(maxBytes, limitName));
            }
            catch (BadHttpRequestException ex)
            {
                // The client stopped sending before its Content-Length (or chunked body) was complete, or Kestrel refused the
                // body: a client problem, answered (if anyone is still listening) and recorded as a run, not an unhandled error.
                return (null, new RequestProblem(ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : 400, $"The request body could not be read: {ex.Message}", null, "incomplete_body"));
            }
            catch (Exception ex) when (ex is IOException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
            {
                // The connection was reset or aborted while the body was arriving: nobody is waiting for an answer.
                return (null, ClientClosed);
            }

            return length == 0
                ? (null, new RequestProblem(400, "The request body is empty; send a JSON object", null, "invalid_json"))
                : Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses one JSON object (nothing but whitespace after it) into a document holding its own copy of the bytes.</summary>
    internal static (JsonDocument? Document, RequestProblem? Problem) Parse(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, ReaderOptions);
            var document = JsonDocument.ParseValue(ref reader);

            // ParseValue stops after the first value; this read throws on anything but whitespace after it.
            if (reader.Read())
            {
                document.Dispose();
                return (null, new RequestProblem(400, "The request body holds more than one JSON value", null, "invalid_json"));
            }

            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, new RequestProblem(400, "The request body must be a JSON object", null, "invalid_json"));
            }

            // Without a \u escape anywhere in the body (nearly every request) no string can hold a lone surrogate.
            if (MayHoldSurrogateEscape(body) && BrokenText(document.RootElement) is { } found)
            {
                var param = found.Length == 0 ? "body" : found;
                document.Dispose();
                return (null, new RequestProblem(400, $"'{param}' holds an escaped lone surrogate (e.g. \\ud800), which is not text", param, "invalid_unicode"));
            }

            return (document, null);
        }
        catch (JsonException ex)
        {
            return (null, new RequestProblem(400, $"The request body is not valid JSON: {ex.Message}", null, "invalid_json"));
        }
    }

    // JSON allows "\ud800" alone, which no string can hold: find it here, once, rather than fail wherever a value is read.
    // Only a string written with a \u escape can hold one, so only those are decoded; the path is built on the way out.
    private static string? BrokenText(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return MayHoldSurrogateEscape(JsonMarshal.GetRawUtf8Value(element)) && !Decodes(element) ? "" : null;

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (BrokenText(item) is { } found)
                    {
                        return found.Length == 0 || found[0] == '[' ? $"[{index}]{found}" : $"[{index}].{found}";
                    }

                    index++;
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (MayHoldSurrogateEscape(JsonMarshal.GetRawUtf8PropertyName(property)) && !NameDecodes(property))
                    {
                        return "";
                    }

                    if (BrokenText(property.Value) is { } found)
                    {
                        return found.Length == 0 || found[0] == '[' ? property.Name + found : $"{property.Name}.{found}";
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool MayHoldSurrogateEscape(ReadOnlySpan<byte> raw) => raw.IndexOf("\\u"u8) >= 0;

    private static bool NameDecodes(JsonProperty property)
    {
        try
        {
            _ = property.Name;
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static bool Decodes(JsonElement element)
    {
        try
        {
            _ = element.GetString();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    public static RequestProblem TooLarge(long maxBytes, string limitName) =>
        new(413, $"The request body is larger than the limit of {maxBytes} bytes ({limitName})", null, "request_too_large");

    /// <summary>The problem recorded when the client went away while sending its body (nginx's 499, "client closed request").</summary>
    public static RequestProblem ClientClosed { get; } = new(499, "The client closed the connection before sending the whole request body", null, "client_closed_request");
}
