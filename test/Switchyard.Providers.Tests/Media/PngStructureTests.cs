using System.Buffers.Binary;
using System.IO.Hashing;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Tests.Media;

/// <summary>PNGs are proven whole from their chunks and CRCs instead of a full decode: every way a transfer breaks one is still caught.</summary>
public sealed class PngStructureTests
{
    private static readonly byte[] Png = ImageRenderer.Sandbox("a red fox", null, 0, 256, 192);

    [Fact]
    public void Inspect_WholePng_SizeAndType()
    {
        Assert.Equal(new ImageDimensions(256, 192, "image/png"), ImageInspector.Inspect(Png));
    }

    [Theory]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void Inspect_FlippedByteInImageData_ReturnsNull(double where)
    {
        var corrupt = (byte[])Png.Clone();
        var (start, length) = FirstChunk(corrupt, "IDAT"u8);
        corrupt[start + (int)(length * where)] ^= 0x5A;

        Assert.Null(ImageInspector.Inspect(corrupt));
    }

    [Fact]
    public void Inspect_WithoutEnd_ReturnsNull()
    {
        Assert.Null(ImageInspector.Inspect(Png.AsSpan(0, Png.Length - 12)));
    }

    [Fact]
    public void Inspect_HeaderClaimsOtherSizeWithValidCrc_ReportsThatSize()
    {
        // A wrong-size image is a valid PNG: the size it reports is what the output validator compares.
        var resized = (byte[])Png.Clone();
        var (start, _) = FirstChunk(resized, "IHDR"u8);
        BinaryPrimitives.WriteUInt32BigEndian(resized.AsSpan(start), 512);
        RewriteCrc(resized, start, 13);

        Assert.Equal(new ImageDimensions(512, 192, "image/png"), ImageInspector.Inspect(resized));
    }

    [Fact]
    public void Inspect_HeaderChangedWithoutCrc_ReturnsNull()
    {
        var tampered = (byte[])Png.Clone();
        var (start, _) = FirstChunk(tampered, "IHDR"u8);
        BinaryPrimitives.WriteUInt32BigEndian(tampered.AsSpan(start), 512);

        Assert.Null(ImageInspector.Inspect(tampered));
    }

    [Fact]
    public void Inspect_ImageDataNotZlibWithValidCrc_ReturnsNull()
    {
        var broken = (byte[])Png.Clone();
        var (start, length) = FirstChunk(broken, "IDAT"u8);
        broken[start] = 0x00;
        RewriteCrc(broken, start, length);

        Assert.Null(ImageInspector.Inspect(broken));
    }

    [Fact]
    public void Inspect_ChunkLengthBeyondEnd_ReturnsNull()
    {
        var broken = (byte[])Png.Clone();
        var (start, _) = FirstChunk(broken, "IDAT"u8);
        BinaryPrimitives.WriteUInt32BigEndian(broken.AsSpan(start - 8), int.MaxValue);

        Assert.Null(ImageInspector.Inspect(broken));
    }

    [Fact]
    public void Inspect_JpegStillDecodedInFull()
    {
        using var bitmap = new SkiaSharp.SKBitmap(40, 30);
        using var image = SkiaSharp.SKImage.FromBitmap(bitmap);
        using var jpeg = image.Encode(SkiaSharp.SKEncodedImageFormat.Jpeg, 80);
        var bytes = jpeg.ToArray();

        Assert.Equal(new ImageDimensions(40, 30, "image/jpeg"), ImageInspector.Inspect(bytes));
        Assert.Null(ImageInspector.Inspect(bytes.AsSpan(0, bytes.Length / 2)));
    }

    // The offset of the named chunk's data and its length.
    private static (int Start, int Length) FirstChunk(byte[] png, ReadOnlySpan<byte> type)
    {
        var offset = 8;
        while (offset + 12 <= png.Length)
        {
            var length = (int)BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset));
            if (png.AsSpan(offset + 4, 4).SequenceEqual(type))
            {
                return (offset + 8, length);
            }

            offset += 12 + length;
        }

        throw new InvalidOperationException("chunk not found");
    }

    private static void RewriteCrc(byte[] png, int dataStart, int length) =>
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(dataStart + length), Crc32.HashToUInt32(png.AsSpan(dataStart - 4, length + 4)));
}
