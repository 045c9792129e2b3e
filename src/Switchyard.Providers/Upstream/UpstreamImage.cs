using SkiaSharp;

namespace Switchyard.Providers.Upstream;

/// <summary>
/// Brings an upstream image to the size the caller asked for. Providers that generate a fixed size or a set of aspect
/// ratios are served by scaling the image to cover the requested size and cropping the overflow evenly from both sides,
/// so nothing is stretched. The result is always PNG.
/// </summary>
internal static class UpstreamImage
{
    /// <summary>The PNG at <paramref name="width"/> x <paramref name="height"/>, or null when <paramref name="data"/> does not decode.</summary>
    public static byte[]? Fit(ReadOnlySpan<byte> data, int width, int height)
    {
        if (data.IsEmpty)
        {
            return null;
        }

        using var skData = SKData.CreateCopy(data);
        using var codec = SKCodec.Create(skData);
        if (codec is null)
        {
            return null;
        }

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var source = new SKBitmap(info);
        if (info.Width <= 0 || info.Height <= 0 || codec.GetPixels(info, source.GetPixels()) != SKCodecResult.Success)
        {
            return null;
        }

        // Already right: keep the provider's bytes when they are a PNG, so nothing is re-encoded for no reason.
        if (info.Width == width && info.Height == height && codec.EncodedFormat == SKEncodedImageFormat.Png)
        {
            return data.ToArray();
        }

        var scale = Math.Max((double)width / info.Width, (double)height / info.Height);
        var cropWidth = width / scale;
        var cropHeight = height / scale;
        var left = (info.Width - cropWidth) / 2;
        var top = (info.Height - cropHeight) / 2;
        var sourceRect = new SKRect((float)left, (float)top, (float)(left + cropWidth), (float)(top + cropHeight));

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"could not allocate a {width}x{height} drawing surface");
        using (var image = SKImage.FromBitmap(source))
        {
            surface.Canvas.DrawImage(image, sourceRect, new SKRect(0, 0, width, height), new SKSamplingOptions(SKCubicResampler.Mitchell), null);
        }

        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
