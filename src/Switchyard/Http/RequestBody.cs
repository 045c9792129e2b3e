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

    private static RequestProblem TooLarge(long maxBytes) =>
        new(413, $"The request body is larger than the limit of {maxBytes} bytes (server.max_request_bytes)", null, "request_too_large");
}
