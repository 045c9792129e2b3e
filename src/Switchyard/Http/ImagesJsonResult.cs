using System.Text.Encodings.Web;
using System.Text.Json;
using Switchyard.Generation;

namespace Switchyard.Http;

/// <summary>
/// Writes an images response with <c>b64_json</c> data: the same JSON as serializing <see cref="ImagesResponse"/>
/// (property order, nulls left out, the relaxed encoder), but each image is base64-encoded into the response in small
/// segments, so the response never needs one contiguous buffer the size of the encoded image (an unpooled
/// large-object-heap allocation per request for anything above 64 KB) and is sent as it is encoded.
/// </summary>
internal sealed class ImagesJsonResult : IResult
{
    // A multiple of 3 (whole base64 groups) whose encoding (3,200 bytes) fits in one of Kestrel's 4 KiB write blocks.
    private const int SegmentBytes = 2_400;

    // The response is handed to Kestrel about every 64 KiB.
    private const int FlushBytes = 64 * 1024;

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly long _created;
    private readonly IReadOnlyList<GeneratedImage> _images;
    private readonly string? _size;
    private readonly string? _outputFormat;

    public ImagesJsonResult(long created, IReadOnlyList<GeneratedImage> images, string? size, string? outputFormat)
    {
        _created = created;
        _images = images;
        _size = size;
        _outputFormat = outputFormat;
    }

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        var pipe = response.BodyWriter;
        var json = new Utf8JsonWriter(pipe, Options);
        await using (json.ConfigureAwait(false))
        {
            var flushed = 0L;
            json.WriteStartObject();
            json.WriteNumber("created", _created);
            json.WriteStartArray("data");
            foreach (var image in _images)
            {
                json.WriteStartObject();
                json.WritePropertyName("b64_json");
                var offset = 0;
                do
                {
                    var length = Math.Min(SegmentBytes, image.Data.Length - offset);
                    json.WriteBase64StringSegment(image.Data.Span.Slice(offset, length), isFinalSegment: offset + length == image.Data.Length);
                    offset += length;
                    if (json.BytesCommitted + json.BytesPending - flushed >= FlushBytes)
                    {
                        // Flush hands the written bytes to the pipe and keeps the writer inside the string.
                        json.Flush();
                        flushed = json.BytesCommitted;
                        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
                while (offset < image.Data.Length);

                if (image.RevisedPrompt is { } revised)
                {
                    json.WriteString("revised_prompt", revised);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (_size is not null)
            {
                json.WriteString("size", _size);
            }

            if (_outputFormat is not null)
            {
                json.WriteString("output_format", _outputFormat);
            }

            json.WriteEndObject();
            json.Flush();
        }

        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
