using SkiaSharp;

namespace Switchyard.Providers.Media;

/// <summary>Checks that bytes are a whole, decodable image (PNG, JPEG, WebP, GIF, BMP) and reads its size.</summary>
public static class ImageInspector
{
    /// <summary>
    /// Returns the size and media type of <paramref name="data"/>, or null when it is not an image or is truncated or
    /// corrupt. A PNG is proven whole from its chunk structure and CRCs (<see cref="PngStructure"/>); other formats are
    /// decoded completely.
    /// </summary>
    public static ImageDimensions? Inspect(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        if (PngStructure.IsPng(data))
        {
            return PngStructure.Check(data) is { } size ? new ImageDimensions(size.Width, size.Height, "image/png") : null;
        }

        try
        {
            using var skData = SKData.CreateCopy(data);
            using var codec = SKCodec.Create(skData);
            if (codec is null)
            {
                return null;
            }

            var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
            if (info.Width <= 0 || info.Height <= 0)
            {
                return null;
            }

            // Decoding every pixel is what tells a whole image from a truncated one.
            using var bitmap = new SKBitmap(info);
            var result = codec.GetPixels(info, bitmap.GetPixels());
            if (result != SKCodecResult.Success)
            {
                return null;
            }

            return new ImageDimensions(info.Width, info.Height, ContentTypeOf(codec.EncodedFormat));
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The size of a decodable image, or null.</summary>
    public static (int Width, int Height)? GetSize(ReadOnlySpan<byte> data) =>
        Inspect(data) is { } found ? (found.Width, found.Height) : null;

    private static string ContentTypeOf(SKEncodedImageFormat format) => format switch
    {
        SKEncodedImageFormat.Png => "image/png",
        SKEncodedImageFormat.Jpeg => "image/jpeg",
        SKEncodedImageFormat.Webp => "image/webp",
        SKEncodedImageFormat.Gif => "image/gif",
        SKEncodedImageFormat.Bmp => "image/bmp",
        SKEncodedImageFormat.Avif => "image/avif",
        SKEncodedImageFormat.Heif => "image/heif",
        _ => "application/octet-stream",
    };
}
