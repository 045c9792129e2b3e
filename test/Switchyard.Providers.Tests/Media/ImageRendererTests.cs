using Switchyard.Providers.Media;

namespace Switchyard.Providers.Tests.Media;

public sealed class ImageRendererTests
{
    [Theory]
    [InlineData(256, 256)]
    [InlineData(1024, 1536)]
    [InlineData(1792, 1024)]
    [InlineData(17, 9)]
    public void Sandbox_AnySize_DecodesAsPngOfThatSize(int width, int height)
    {
        var png = ImageRenderer.Sandbox("a red fox in the snow", 7, 0, width, height);

        var found = ImageInspector.Inspect(png);

        Assert.NotNull(found);
        Assert.Equal((width, height, "image/png"), (found.Value.Width, found.Value.Height, found.Value.ContentType));
        Assert.Equal((width, height), ImageInspector.GetSize(png));
    }

    [Fact]
    public void Sandbox_SameInputs_SameBytes()
    {
        var first = ImageRenderer.Sandbox("a red fox", null, 0, 512, 512);
        var second = ImageRenderer.Sandbox("a red fox", null, 0, 512, 512);

        Assert.Equal(first, second);
    }

    [Fact]
    public void Sandbox_OtherPromptSeedOrIndex_OtherBytes()
    {
        var baseline = ImageRenderer.Sandbox("a red fox", 1, 0, 256, 256);

        Assert.NotEqual(baseline, ImageRenderer.Sandbox("a blue whale", 1, 0, 256, 256));
        Assert.NotEqual(baseline, ImageRenderer.Sandbox("a red fox", 2, 0, 256, 256));
        Assert.NotEqual(baseline, ImageRenderer.Sandbox("a red fox", 1, 1, 256, 256));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("vivid")]
    [InlineData("natural")]
    public void Placeholder_EachStyle_Decodes(string? style)
    {
        var png = ImageRenderer.Placeholder("a quiet lake", style, 300, 200);

        Assert.Equal((300, 200), ImageInspector.GetSize(png));
    }

    [Fact]
    public void Placeholder_StylesDiffer()
    {
        Assert.NotEqual(ImageRenderer.Placeholder("x", "vivid", 64, 64), ImageRenderer.Placeholder("x", "natural", 64, 64));
    }

    [Fact]
    public void Inspect_NotAnImage_ReturnsNull()
    {
        Assert.Null(ImageInspector.Inspect([]));
        Assert.Null(ImageInspector.Inspect("definitely not an image"u8));
        Assert.Null(ImageInspector.GetSize(new byte[] { 0x89, 0x50, 0x4E, 0x47 }));
    }

    [Fact]
    public void Inspect_TruncatedPng_ReturnsNull()
    {
        var png = ImageRenderer.Sandbox("a red fox", null, 0, 256, 256);

        Assert.Null(ImageInspector.Inspect(png.AsSpan(0, png.Length / 2)));
    }

    [Fact]
    public void PixelFont_Fit_CutsLongText()
    {
        var fitted = PixelFont.Fit(new string('a', 100), 60, 1);

        Assert.True(PixelFont.MeasureWidth(fitted, 1) <= 60);
        Assert.EndsWith("...", fitted, StringComparison.Ordinal);
    }
}
