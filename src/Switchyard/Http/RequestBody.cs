using System.Buffers;
using System.Text.Json;

namespace Switchyard.Http;

/// <summary>Reads a JSON request body within the size limit and parses it, with a clear problem for each way it can be wrong.</summary>
internal static class RequestBody
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };

    public static async Task<(JsonDocument? Document, RequestProblem? Problem)> ReadJsonAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentType is { } contentType && !contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && !contentType.Contains("+json", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new RequestProblem(415, $"Content-Type '{contentType}' is not supported here; send application/json", null, "unsupported_media_type"));
        }

        if (request.ContentLength > maxBytes)
        {
            return (null, TooLarge(maxBytes));
        }

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
                    return (null, TooLarge(maxBytes));
                }
            }
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

            return (document, null);
        }
        catch (JsonException ex)
        {
            return (null, new RequestProblem(400, $"The request body is not valid JSON: {ex.Message}", null, "invalid_json"));
        }
    }

    /// <summary>The problem recorded when the client went away while sending its body (nginx's 499, "client closed request").</summary>
    public static RequestProblem ClientClosed { get; } = new(499, "The client closed the connection before sending the whole request body", null, "client_closed_request");

    private static RequestProblem TooLarge(long maxBytes) =>
        new(413, $"The request body is larger than the limit of {maxBytes} bytes (server.max_request_bytes)", null, "request_too_large");
}
