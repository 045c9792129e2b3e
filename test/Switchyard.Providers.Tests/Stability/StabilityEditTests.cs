using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Stability;
using Switchyard.Providers.Tests.Emulators;

namespace Switchyard.Providers.Tests.Stability;

/// <summary>Image-to-image through Stability's generate endpoints: the multipart parts sent, which models take it, and error mapping.</summary>
public sealed class StabilityEditTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StabilityProvider Provider(StabilityEmulator emulator) => new(
        new ProviderConfig { Name = "stability", Type = StabilityProviderFactory.TypeName, BaseUrl = emulator.Root, ApiKey = new Secret("STABILITY_API_KEY", StabilityEmulator.Key) },
        new StabilityOptions(),
        new HttpClient(),
        TimeProvider.System);

    private static ImageRequest Edit(int width = 768, int height = 512, double? strength = 0.35, ImageInput? mask = null, int inputs = 1)
    {
        var png = ScriptedEmulator.Picture(width, height);
        return new ImageRequest
        {
            Prompt = "make it winter",
            Width = width,
            Height = height,
            Inputs = [.. Enumerable.Repeat(new ImageInput(png, "image/png", width, height), inputs)],
            Mask = mask,
            Strength = strength,
        };
    }

    [Fact]
    public async Task Edit_Sd35_SendsImagePartStrengthAndImageToImageMode()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        var request = Edit();

        var result = await Provider(emulator).GenerateImageAsync("sd3.5-large", request, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var sent = emulator.Last;
        Assert.Equal("/v2beta/stable-image/generate/sd3", sent.Path);
        Assert.Equal("image-to-image", sent.Form["mode"]);
        Assert.Equal("sd3.5-large", sent.Form["model"]);
        Assert.Equal("0.35", sent.Form["strength"]);
        Assert.Equal("make it winter", sent.Form["prompt"]);
        Assert.False(sent.Form.ContainsKey("aspect_ratio"));
        var image = Assert.Single(sent.Files);
        Assert.Equal("image", image.Name);
        Assert.Equal("image/png", image.ContentType);
        Assert.Equal(request.Inputs[0].Data.ToArray(), image.Data);
        var output = Assert.Single(result.Value!.Images);
        Assert.Equal((768, 512), ImageInspector.GetSize(output.Data.ToArray()));
    }

    [Fact]
    public async Task Edit_UltraWithoutStrength_NoModeAndTheDefaultStrength()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator).GenerateImageAsync("ultra", Edit(strength: null), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("/v2beta/stable-image/generate/ultra", emulator.Last.Path);
        Assert.False(emulator.Last.Form.ContainsKey("mode"));
        Assert.Equal("0.5", emulator.Last.Form["strength"]);
        Assert.Single(emulator.Last.Files);
    }

    [Theory]
    [InlineData("core", 1, false, "does not take an input image")]
    [InlineData("ultra", 2, false, "one input image per request")]
    [InlineData("sd3.5-medium", 1, true, "take no mask")]
    public async Task CheckCapable_UnsupportedEdit_NotCapableAndNothingSent(string model, int inputs, bool withMask, string reason)
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        var provider = Provider(emulator);
        var mask = withMask ? new ImageInput(ScriptedEmulator.Picture(768, 512), "image/png", 768, 512) : null;
        var request = Edit(inputs: inputs, mask: mask);

        Assert.Contains(reason, provider.CheckCapable(Modality.Image, model, request), StringComparison.Ordinal);
        var result = await provider.GenerateImageAsync(model, request, Ct);

        Assert.Equal("not_capable", result.Failure?.Code);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task CheckCapable_InputTooElongated_NotCapable()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        Assert.Contains("between 1:2.5 and 2.5:1", Provider(emulator).CheckCapable(Modality.Image, "ultra", Edit(width: 1024, height: 300) with { Width = 1024, Height = 1024 }), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, "content_moderation", "Your request was flagged by our content moderation system", ErrorClass.ContentRejected)]
    [InlineData(400, "bad_request", "image: dimensions must be at least 64 pixels", ErrorClass.InvalidRequest)]
    [InlineData(401, "unauthorized", "authorization: invalid or missing API key", ErrorClass.Auth)]
    [InlineData(500, "internal_error", "An unexpected server error occurred", ErrorClass.Unavailable)]
    public async Task Edit_UpstreamError_MappedToItsClass(int status, string name, string message, ErrorClass expected)
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(StabilityEmulator.Error(status, name, message));

        var result = await Provider(emulator).GenerateImageAsync("sd3.5-large", Edit(), Ct);

        Assert.Equal(expected, result.Failure?.Class);
        Assert.Equal(status, result.Failure?.HttpStatus);
        Assert.Single(emulator.Last.Files);
    }
}
