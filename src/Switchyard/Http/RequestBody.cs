using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.Http;

/// <summary>Reads a JSON request body within the size limit and parses it, with a clear problem for each way it can be wrong.</summary>
internal static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };

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
        var mediaType = contentType.Split(';', 2)[0].Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || (mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase) && mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase));
    }

    // A hostile header is echoed at most 100 printable characters long.
    private static string Printable(string text)
    {
        var clean = new string(text.Where(c => !char.IsControl(c)).Take(100).ToArray());
        return text.Length > 100 ? clean + "…" : clean;
    }

    private static async Task<(JsonDocument? Document, RequestProblem? Problem)> ParseAsync(HttpRequest request, long maxBytes, string limitName, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and < 1 << 20 ? (int)request.ContentLength : 4096);
        try
        {
            while (true)
            {
                var memory = buffer.GetMemory(8192);
                var read = await request.Body.ReadAsync(memory, cancellationToken);
                if (read == 0)
                {
                    break;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > maxBytes)
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

        if (buffer.WrittenCount == 0)
        {
            return (null, new RequestProblem(400, "The request body is empty; send a JSON object", null, "invalid_json"));
        }

        try
        {
            var document = JsonDocument.Parse(buffer.WrittenMemory, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                return (null, new RequestProblem(400, "The request body must be a JSON object", null, "invalid_json"));
            }

            if (BrokenText(document.RootElement, null) is { } param)
            {
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
    private static string? BrokenText(JsonElement element, string? path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return path ?? "body";
                }

            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (BrokenText(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path ?? "body";
                    }

                    if (BrokenText(property.Value, path is null ? name : $"{path}.{name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    public static RequestProblem TooLarge(long maxBytes, string limitName) =>
        new(413, $"The request body is larger than the limit of {maxBytes} bytes ({limitName})", null, "request_too_large");

    /// <summary>The problem recorded when the client went away while sending its body (nginx's 499, "client closed request").</summary>
    public static RequestProblem ClientClosed { get; } = new(499, "The client closed the connection before sending the whole request body", null, "client_closed_request");
}
