using System.Buffers.Binary;
using System.IO.Hashing;

namespace Switchyard.Providers.Media;

/// <summary>
/// Proves a PNG whole without decoding its pixels: the signature, an <c>IHDR</c> first with a valid size, bit depth
/// and color type, every chunk inside the bytes with the CRC-32 its encoder wrote (a flipped or missing byte in a
/// critical chunk fails), at least one <c>IDAT</c> beginning a zlib stream, and an <c>IEND</c> (a truncated file has
/// none). That is what a full decode would catch for a transfer gone wrong, at a small fraction of its cost
/// (a CRC pass over the bytes instead of inflating and unfiltering every pixel).
/// </summary>
internal static class PngStructure
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private const uint Ihdr = 0x49484452; // "IHDR"
    private const uint Idat = 0x49444154; // "IDAT"
    private const uint Iend = 0x49454E44; // "IEND"
    private const uint Plte = 0x504C5445; // "PLTE"

    // Larger than any real encoder writes (the format allows 2^31 - 1); it also keeps width * height in range.
    private const int MaxSide = 1 << 16;

    /// <summary>True when <paramref name="data"/> starts with the PNG signature.</summary>
    public static bool IsPng(ReadOnlySpan<byte> data) => data.StartsWith(Signature);

    /// <summary>The size of a structurally whole PNG, or null when it is truncated, corrupt or not a PNG.</summary>
    public static (int Width, int Height)? Check(ReadOnlySpan<byte> data)
    {
        if (!IsPng(data))
        {
            return null;
        }

        var offset = Signature.Length;
        (int Width, int Height)? size = null;
        var sawData = false;
        var dataEnded = false;
        var needsPalette = false;
        while (offset + 12 <= data.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(data[offset..]);
            if (length > int.MaxValue || length > (uint)(data.Length - offset - 12))
            {
                return null;
            }

            var type = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 4)..]);
            var typeAndBody = data.Slice(offset + 4, 4 + (int)length);
            var body = typeAndBody[4..];
            var storedCrc = BinaryPrimitives.ReadUInt32BigEndian(data[(offset + 8 + (int)length)..]);
            var critical = (type & 0x20000000) == 0; // an uppercase first letter
            if (critical && Crc32.HashToUInt32(typeAndBody) != storedCrc)
            {
                return null;
            }

            if (size is null)
            {
                if (type != Ihdr || (size = Header(body)) is null)
                {
                    return null;
                }

                needsPalette = body[9] == 3;
            }
            else if (type == Ihdr)
            {
                return null;
            }
            else if (type == Idat)
            {
                if (dataEnded || needsPalette || (!sawData && !ZlibHeader(body)))
                {
                    return null;
                }

                sawData = true;
            }
            else if (type == Iend)
            {
                return sawData && length == 0 ? size : null;
            }
            else
            {
                needsPalette &= type != Plte;
                dataEnded |= sawData;
            }

            offset += 12 + (int)length;
        }

        return null;
    }

    private static (int Width, int Height)? Header(ReadOnlySpan<byte> body)
    {
        if (body.Length != 13)
        {
            return null;
        }

        var width = BinaryPrimitives.ReadUInt32BigEndian(body);
        var height = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
        if (width is 0 or > MaxSide || height is 0 or > MaxSide)
        {
            return null;
        }

        var depth = body[8];
        var validDepth = body[9] switch
        {
            0 => depth is 1 or 2 or 4 or 8 or 16, // grayscale
            2 or 4 or 6 => depth is 8 or 16, // RGB, grayscale + alpha, RGBA
            3 => depth is 1 or 2 or 4 or 8, // palette
            _ => false,
        };

        // Compression and filter method 0, interlace none or Adam7.
        return validDepth && body[10] == 0 && body[11] == 0 && body[12] <= 1 ? ((int)width, (int)height) : null;
    }

    // The first IDAT starts with a zlib header: deflate (CM 8), a window of at most 32 KiB, and the FCHECK bits.
    private static bool ZlibHeader(ReadOnlySpan<byte> body) =>
        body.Length >= 2 && (body[0] & 0x0F) == 8 && (body[0] >> 4) <= 7 && ((body[0] << 8) | body[1]) % 31 == 0;
}
