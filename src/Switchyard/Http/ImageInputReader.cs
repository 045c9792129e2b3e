using System.Text.RegularExpressions;
using Switchyard.Generation;
using Switchyard.Outbound;

namespace Switchyard.Http;

/// <summary>
/// Turns the input images of an edit into checked bytes, whatever form they came in: a multipart
/// upload, a base64 data URL (or bare base64), or an http(s) URL fetched through the outbound
/// guard. Each is decoded once, so a bad input is a 400 naming the field and why, before any
/// provider is called — and no client has to host its image somewhere first.
/// </summary>
internal sealed partial class ImageInputReader
{
    private readonly OutboundClient _outbound;
    private readonly IMediaInspector _inspector;
    private readonly long _maxBytes;

    public ImageInputReader(OutboundClient outbound, IMediaInspector inspector, long maxBytes)
    {
        _outbound = outbound;
        _inspector = inspector;
        _maxBytes = maxBytes;
    }

    public async Task<(ImageInput? Image, RequestProblem? Problem)> FromUploadAsync(IFormFile file, string param, CancellationToken cancellationToken)
    {
        if (file.Length > _maxBytes)
        {
            return (null, Too(param, file.Length));
        }

        using var buffer = new MemoryStream();
        await using (var stream = file.OpenReadStream())
        {
            await stream.CopyToAsync(buffer, cancellationToken);
        }

        return Inspect(buffer.ToArray(), param, $"the upload '{file.FileName}'");
    }

    public async Task<(ImageInput? Image, RequestProblem? Problem)> FromTextAsync(string text, string param, CancellationToken cancellationToken)
    {
        text = text.Trim();
        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url))
            {
                return (null, RequestProblem.Field(param, $"'{param}' is not a valid URL"));
            }

            try
            {
                var (content, _) = await _outbound.GetBytesAsync(url, _maxBytes, cancellationToken);
                return Inspect(content, param, $"the image at {url.Host}");
            }
            catch (OutboundException ex)
            {
                return (null, RequestProblem.Field(param, $"could not fetch '{param}' from {url.Host}: {ex.Message}", "image_fetch_failed"));
            }
        }

        if (text.StartsWith("blob:", StringComparison.OrdinalIgnoreCase))
        {
            return (null, RequestProblem.Field(param, $"'{param}' is a browser blob: URL, which only exists inside the browser; send the bytes (multipart upload or a base64 data URL) instead", "unsupported_value"));
        }

        var match = DataUrl().Match(text);
        var base64 = match.Success ? match.Groups["data"].Value : text;
        if (base64.Length > (_maxBytes * 4 / 3) + 4)
        {
            return (null, Too(param, base64.Length * 3L / 4));
        }

        var bytes = new byte[base64.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return (null, RequestProblem.Field(param, $"'{param}' is neither an http(s) URL nor valid base64 (a data URL like data:image/png;base64,... or bare base64)", "invalid_value"));
        }

        return Inspect(bytes.AsMemory(0, written).ToArray(), param, "the base64 image");
    }

    private (ImageInput?, RequestProblem?) Inspect(byte[] content, string param, string what)
    {
        if (content.Length == 0)
        {
            return (null, RequestProblem.Field(param, $"{what} in '{param}' is empty"));
        }

        // Content sniffing: the bytes decide what the image is, not a file name or a header.
        return _inspector.InspectImage(content) is { } found
            ? (new ImageInput(content, found.ContentType, found.Width, found.Height), null)
            : (null, RequestProblem.Field(param, $"{what} in '{param}' ({content.Length} bytes) is not a decodable image (PNG, JPEG, WebP or GIF)", "invalid_image"));
    }

    private RequestProblem Too(string param, long bytes) =>
        new(413, $"'{param}' is {bytes} bytes; the limit per image is {_maxBytes}", param, "image_too_large");

    [GeneratedRegex(@"^data:image/[a-zA-Z0-9.+-]+;base64,(?<data>.*)$", RegexOptions.Singleline)]
    private static partial Regex DataUrl();
}
