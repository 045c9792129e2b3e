using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using SkiaSharp;

namespace Switchyard.Providers.Media;

/// <summary>
/// Draws the offline providers' PNGs: a gradient, a few shapes and a caption in <see cref="PixelFont"/>.
/// Everything is derived from a hash of the inputs, so the same inputs give the same bytes.
/// </summary>
internal static class ImageRenderer
{
    /// <summary>The largest side the renderer accepts.</summary>
    public const int MaxSide = 4096;

    /// <summary>A sandbox image: colours and shapes from the prompt, seed and index; the caption says "sandbox".</summary>
    public static byte[] Sandbox(string prompt, long? seed, int index, int width, int height)
    {
        var random = new Random(Hash($"sandbox\n{prompt}\n{seed?.ToString() ?? "-"}\n{index}"));
        var hue = random.Next(360);
        var top = SKColor.FromHsl(hue, 55 + random.Next(30), 35 + random.Next(15));
        var bottom = SKColor.FromHsl((hue + 90 + random.Next(120)) % 360, 50 + random.Next(30), 55 + random.Next(20));
        var accents = Enumerable.Range(0, 4)
            .Select(_ => SKColor.FromHsl(random.Next(360), 60 + random.Next(30), 50 + random.Next(25)).WithAlpha((byte)(110 + random.Next(100))))
            .ToArray();
        var caption = $"sandbox image {index + 1}: {FirstWords(prompt, 8)}";
        return Draw(width, height, top, bottom, accents, 5 + random.Next(6), random, caption);
    }

    /// <summary>A placeholder image: a calm palette chosen by <paramref name="style"/>, soft shapes, the caption "placeholder".</summary>
    public static byte[] Placeholder(string prompt, string? style, int width, int height)
    {
        var random = new Random(Hash($"placeholder\n{prompt}\n{style}"));
        (SKColor Top, SKColor Bottom, SKColor Accent) palette = style?.ToLowerInvariant() switch
        {
            "vivid" => (new SKColor(0x2a, 0x9d, 0x8f), new SKColor(0xe9, 0xc4, 0x6a), new SKColor(0xf4, 0xa2, 0x61, 0x90)),
            "natural" => (new SKColor(0x8a, 0x9a, 0x7b), new SKColor(0xe6, 0xdc, 0xc8), new SKColor(0xb5, 0xa8, 0x8a, 0x90)),
            _ => (new SKColor(0x5c, 0x6b, 0x7a), new SKColor(0xd9, 0xe2, 0xea), new SKColor(0x9a, 0xab, 0xbd, 0x90)),
        };
        var caption = $"placeholder: {FirstWords(prompt, 6)}";
        return Draw(width, height, palette.Top, palette.Bottom, [palette.Accent], 3, random, caption);
    }

    /// <summary>
    /// An edit of <paramref name="input"/>: the input scaled to fill the target size, washed with a tint
    /// whose weight is the <paramref name="strength"/> (0 keeps the input, 1 covers it), and a caption
    /// that names the edit, so offline edits are plainly derived from their input.
    /// </summary>
    public static byte[] Edit(ReadOnlyMemory<byte> input, string label, string prompt, long? seed, int index, double strength, int width, int height)
    {
        if (width is < 1 or > MaxSide || height is < 1 or > MaxSide)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is outside 1..{MaxSide}");
        }

        using var source = SKBitmap.Decode(input.Span) ?? throw new ArgumentException("the input image does not decode", nameof(input));
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"could not allocate a {width}x{height} drawing surface");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.Black);

        // Cover: scale the input to fill the target, cropping the overflow, centred.
        var scale = Math.Max((float)width / source.Width, (float)height / source.Height);
        var drawn = new SKRect(0, 0, source.Width * scale, source.Height * scale);
        drawn.Offset((width - drawn.Width) / 2, (height - drawn.Height) / 2);
        using (var image = SKImage.FromBitmap(source))
        {
            canvas.DrawImage(image, drawn, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
        }

        var random = new Random(Hash($"{label}\n{prompt}\n{seed?.ToString() ?? "-"}\n{index}"));
        var tint = SKColor.FromHsl(random.Next(360), 60, 50).WithAlpha((byte)Math.Clamp(strength * 200, 0, 200));
        using (var wash = new SKPaint { Color = tint })
        {
            canvas.DrawRect(0, 0, width, height, wash);
        }

        DrawCaption(canvas, width, height, $"{label}: {FirstWords(prompt, 6)}");
        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100) ?? throw new InvalidOperationException("the PNG encoder returned nothing");
        return data.ToArray();
    }

    private static byte[] Draw(int width, int height, SKColor top, SKColor bottom, SKColor[] accents, int shapes, Random random, string caption)
    {
        if (width is < 1 or > MaxSide || height is < 1 or > MaxSide)
        {
            throw new ArgumentOutOfRangeException(nameof(width), $"{width}x{height} is outside 1..{MaxSide}");
        }

        // Opaque, so the PNG is RGB without an alpha channel.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info)
            ?? throw new InvalidOperationException($"could not allocate a {width}x{height} drawing surface");
        var canvas = surface.Canvas;

        using (var background = new SKPaint())
        {
            background.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [top, bottom], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, background);
        }

        using (var paint = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Fill })
        {
            var unit = Math.Min(width, height);
            for (var i = 0; i < shapes; i++)
            {
                paint.Color = accents[i % accents.Length];
                var x = (float)(random.NextDouble() * width);
                var y = (float)(random.NextDouble() * height);
                var size = (float)(unit * (0.08 + (random.NextDouble() * 0.22)));
                if (random.Next(2) == 0)
                {
                    canvas.DrawCircle(x, y, size, paint);
                }
                else
                {
                    canvas.DrawRoundRect(x - size, y - (size * 0.6f), size * 2, size * 1.2f, size * 0.15f, size * 0.15f, paint);
                }
            }
        }

        DrawCaption(canvas, width, height, caption);

        using var image = surface.Snapshot();
        using var data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new InvalidOperationException("the PNG encoder returned nothing");
        return data.ToArray();
    }

    private static void DrawCaption(SKCanvas canvas, int width, int height, string caption)
    {
        var scale = Math.Max(1, Math.Min(width, height) / 200);
        var margin = 2 * scale;
        var barHeight = (PixelFont.GlyphHeight * scale) + (2 * margin);
        if (barHeight > height || width <= 2 * margin)
        {
            return;
        }

        using var bar = new SKPaint { Color = new SKColor(0, 0, 0, 150) };
        canvas.DrawRect(0, height - barHeight, width, barHeight, bar);
        using var ink = new SKPaint { Color = SKColors.White };
        PixelFont.Draw(canvas, PixelFont.Fit(caption, width - (2 * margin), scale), margin, height - barHeight + margin, scale, ink);
    }

    /// <summary>The first <paramref name="count"/> words of <paramref name="text"/>, on one line.</summary>
    public static string FirstWords(string text, int count) =>
        string.Join(' ', text.Split((char[]?)null, count + 1, StringSplitOptions.RemoveEmptyEntries).Take(count));

    private static int Hash(string text) =>
        BinaryPrimitives.ReadInt32LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}
