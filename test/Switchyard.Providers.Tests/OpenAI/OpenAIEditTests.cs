using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Tests.Common.Emulators;

namespace Switchyard.Providers.Tests.OpenAI;

/// <summary>
/// Edits through the OpenAI-style adapter against the loopback emulator: OpenAI's multipart <c>/images/edits</c>
/// (the parts each model family takes), AI/ML API's flux image-to-image JSON, what is not capable, and error mapping.
/// </summary>
public sealed class OpenAIEditTests : IAsyncLifetime
{
    private OpenAIEmulator _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await OpenAIEmulator.StartAsync(Ct);
        _emulator.RequiredKey = OpenAITestProviders.Key;
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private IGenerationProvider OpenAI() => OpenAITestProviders.Create(_emulator.BaseUrl);

    private IGenerationProvider Aiml() => OpenAITestProviders.Create(OpenAITestProviders.Config("aimlapi", _emulator.BaseUrl, name: "aiml"));

    private static ImageInput Png(int width, int height, int seed = 0) => new(OpenAIEmulator.Png(width, height, seed), "image/png", width, height);

    private static ImageRequest Edit(string prompt, int width = 1024, int height = 1024, int count = 1, ImageInput? mask = null, params ImageInput[] inputs) =>
        new() { Prompt = prompt, Width = width, Height = height, Count = count, Mask = mask, Inputs = inputs.Length == 0 ? [Png(width, height)] : inputs };

    [Fact]
    public async Task Edit_GptImage_MultipartWithImageArrayPartsMaskAndNoResponseFormat()
    {
        var first = Png(1024, 1024, 1);
        var second = Png(1024, 1024, 2);
        var mask = Png(1024, 1024, 3);

        var result = await OpenAI().GenerateImageAsync("gpt-image-1", Edit("add a hat", 1536, 1024, 2, mask, first, second) with { Quality = "hd" }, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var sent = Assert.Single(_emulator.Requests);
        Assert.Equal("/v1/images/edits", sent.Path);
        Assert.StartsWith("multipart/form-data; boundary=", sent.Header("content-type"), StringComparison.Ordinal);
        Assert.Equal("Bearer " + OpenAITestProviders.Key, sent.Header("authorization"));
        Assert.Equal(["image[]", "image[]", "mask"], sent.Files.Select(f => f.Name));
        Assert.Equal(first.Data.ToArray(), sent.Files[0].Data);
        Assert.Equal(second.Data.ToArray(), sent.Files[1].Data);
        Assert.Equal(mask.Data.ToArray(), sent.Files[2].Data);
        Assert.All(sent.Files, f => Assert.Equal("image/png", f.ContentType));
        Assert.Equal("add a hat", sent.Form["prompt"]);
        Assert.Equal("gpt-image-1", sent.Form["model"]);
        Assert.Equal("2", sent.Form["n"]);
        Assert.Equal("1536x1024", sent.Form["size"]);
        Assert.Equal("high", sent.Form["quality"]);
        Assert.False(sent.Form.ContainsKey("response_format"));
        Assert.Equal(2, result.Value!.Images.Count);
        Assert.Equal((1536, 1024), ImageInspector.GetSize(result.Value.Images[0].Data.Span));
    }

    [Fact]
    public async Task Edit_DallE2_SingleImagePartAndB64Json()
    {
        var result = await OpenAI().GenerateImageAsync("dall-e-2", Edit("a red door", 512, 512), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var sent = Assert.Single(_emulator.Requests);
        Assert.Equal("image", Assert.Single(sent.Files).Name);
        Assert.Equal("b64_json", sent.Form["response_format"]);
        Assert.Equal("512x512", sent.Form["size"]);
    }

    [Theory]
    [InlineData("dall-e-3", "cannot edit images")]
    [InlineData("dall-e-2", "square PNG under 4 MB")]
    public void CheckCapable_EditTheModelCannotMake_NotCapable(string model, string reason)
    {
        var request = Edit("x", 1024, 1024, inputs: Png(1024, 768));

        Assert.Contains(reason, OpenAI().CheckCapable(Modality.Image, model, request), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_MaskOfAnotherSize_NotCapableAndNothingSent()
    {
        var request = Edit("x", mask: Png(512, 512));

        var result = await OpenAI().GenerateImageAsync("gpt-image-1", request, Ct);

        Assert.Equal("not_capable", result.Failure?.Code);
        Assert.Contains("mask", result.Failure?.Message, StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests);
    }

    [Theory]
    [InlineData("#policy", ErrorClass.ContentRejected, 400)]
    [InlineData("#moderation", ErrorClass.ContentRejected, 400)]
    [InlineData("#status=401", ErrorClass.Auth, 401)]
    [InlineData("#status=429", ErrorClass.RateLimited, 429)]
    [InlineData("#status=503", ErrorClass.Unavailable, 503)]
    [InlineData("#param", ErrorClass.InvalidRequest, 400)]
    public async Task Edit_UpstreamError_MappedToItsClass(string directive, ErrorClass expected, int status)
    {
        var result = await OpenAI().GenerateImageAsync("gpt-image-1", Edit("a hat " + directive), Ct);

        Assert.Equal(expected, result.Failure?.Class);
        Assert.Equal(status, result.Failure?.HttpStatus);
        Assert.Equal("/v1/images/edits", Assert.Single(_emulator.Requests).Path);
    }

    [Fact]
    public async Task Edit_AimlApiFluxDev_ImageToImageJsonWithDataUrlAndStrength_FittedToTheRequestedSize()
    {
        var input = Png(640, 480, 5);

        var result = await Aiml().GenerateImageAsync("flux/dev", Edit("make it night", 512, 512, inputs: input) with { Strength = 0.4, Seed = 9 }, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var sent = _emulator.Requests[0];
        Assert.Equal("/v1/images/generations", sent.Path);
        var body = sent.Json;
        Assert.Equal("flux/dev/image-to-image", body.GetProperty("model").GetString());
        Assert.Equal("make it night", body.GetProperty("prompt").GetString());
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(input.Data.Span), body.GetProperty("image_url").GetString());
        Assert.Equal(0.4, body.GetProperty("strength").GetDouble());
        Assert.Equal(1, body.GetProperty("num_images").GetInt32());
        Assert.Equal(9, body.GetProperty("seed").GetInt64());
        Assert.False(body.TryGetProperty("image_size", out _));
        var image = Assert.Single(result.Value!.Images);
        Assert.Equal((512, 512), ImageInspector.GetSize(image.Data.Span));
    }

    [Theory]
    [InlineData("flux/schnell", "no image-to-image variant")]
    [InlineData("flux-pro/v1.1", "no image-to-image variant")]
    public void CheckCapable_AimlApiFluxWithoutImageToImage_NotCapable(string model, string reason)
    {
        Assert.Contains(reason, Aiml().CheckCapable(Modality.Image, model, Edit("x")), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckCapable_AimlApiFluxWithMask_NotCapable()
    {
        Assert.Contains("takes no mask", Aiml().CheckCapable(Modality.Image, "flux/dev/image-to-image", Edit("x", mask: Png(1024, 1024))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_AimlApiUpstream422_InvalidRequest()
    {
        _emulator.Enqueue(new ScriptedResponse(422, """{"message":"image_url: could not load the image","statusCode":422}"""));

        var result = await Aiml().GenerateImageAsync("flux/dev/image-to-image", Edit("x"), Ct);

        Assert.Equal(ErrorClass.InvalidRequest, result.Failure?.Class);
        Assert.Equal(422, result.Failure?.HttpStatus);
    }
}
