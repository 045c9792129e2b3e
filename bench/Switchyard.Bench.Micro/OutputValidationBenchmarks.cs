using BenchmarkDotNet.Attributes;
using SkiaSharp;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Bench.Micro;

/// <summary><see cref="OutputValidator"/> on a real PNG (header and size check) and on a chat answer.</summary>
[MemoryDiagnoser]
public class OutputValidationBenchmarks
{
    private readonly OutputValidator _validator = new(ProviderCatalog.MediaInspector);
    private ImageRequest _request = null!;
    private ImageOutput _output = null!;
    private readonly ChatOutput _chat = new("Here is a short plan for the week.", "stop", 62, 71);

    [Params(256, 1024)]
    public int Side { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        using var bitmap = new SKBitmap(Side, Side, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(new SKColor(40, 90, 160));
        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        _request = new ImageRequest { Prompt = "a lighthouse", Width = Side, Height = Side };
        _output = new ImageOutput([new GeneratedImage(png.ToArray(), "image/png", Side, Side)]);
    }

    [Benchmark]
    public ProviderFailure? Image() => _validator.Check(_request, _output);

    [Benchmark]
    public ProviderFailure? Chat() => OutputValidator.Check(_chat);
}
