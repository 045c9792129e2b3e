namespace Switchyard.Providers.Media;

/// <summary>Tells an image's media type from its first bytes.</summary>
internal static class ImageSignature
{
    /// <summary><c>image/png</c>, <c>image/jpeg</c>, <c>image/webp</c>, <c>image/gif</c>, or <paramref name="fallback"/> when the bytes match none.</summary>
    public static string ContentType(ReadOnlySpan<byte> data, string fallback = "application/octet-stream")
    {
        if (data.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]))
        {
            return "image/png";
        }

        if (data.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        if (data.Length >= 12 && data[..4].SequenceEqual("RIFF"u8) && data[8..12].SequenceEqual("WEBP"u8))
        {
            return "image/webp";
        }

        if (data.StartsWith("GIF87a"u8) || data.StartsWith("GIF89a"u8))
        {
            return "image/gif";
        }

        return fallback;
    }
}
