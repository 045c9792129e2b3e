using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Stability;
using Switchyard.Providers.Tests.Emulators;

namespace Switchyard.Providers.Tests.Stability;

public sealed class StabilityProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StabilityProvider Provider(StabilityEmulator emulator, string? key = StabilityEmulator.Key, StabilityOptions? options = null)
    {
        var config = new ProviderConfig
        {
            Name = "stability",
            Type = StabilityProviderFactory.TypeName,
            BaseUrl = emulator.Root,
            ApiKey = new Secret("STABILITY_API_KEY", key),
        };
        return new StabilityProvider(config, options ?? new StabilityOptions(), new HttpClient(), TimeProvider.System);
    }

    private static ImageRequest Image(int width = 1024, int height = 1024, string prompt = "a red fox in snow", long? seed = null, string? negative = null, string? style = null) =>
        new() { Prompt = prompt, Width = width, Height = height, Seed = seed, NegativePrompt = negative, Style = style };

    [Fact]
    public async Task GenerateImage_Core_MultipartFieldsBearerAndAcceptImage()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator).GenerateImageAsync(null, Image(seed: 99, negative: "people", style: "photographic"), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var request = emulator.Last;
        Assert.Equal("/v2beta/stable-image/generate/core", request.Path);
        Assert.Equal("Bearer " + StabilityEmulator.Key, request.Header("authorization"));
        Assert.Equal("image/*", request.Header("accept"));
        Assert.StartsWith("multipart/form-data; boundary=", request.ContentType, StringComparison.Ordinal);
        Assert.Equal("a red fox in snow", request.Form["prompt"]);
        Assert.Equal("people", request.Form["negative_prompt"]);
        Assert.Equal("1:1", request.Form["aspect_ratio"]);
        Assert.Equal("99", request.Form["seed"]);
        Assert.Equal("png", request.Form["output_format"]);
        Assert.Equal("photographic", request.Form["style_preset"]);
        Assert.False(request.Form.ContainsKey("model"));
    }

    [Fact]
    public async Task GenerateImage_Sd35_PostsToSd3WithModelAndMode_TurboGetsNoNegativePrompt()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator).GenerateImageAsync("sd3.5-large-turbo", Image(negative: "people", style: "vivid"), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("/v2beta/stable-image/generate/sd3", emulator.Last.Path);
        Assert.Equal("sd3.5-large-turbo", emulator.Last.Form["model"]);
        Assert.Equal("text-to-image", emulator.Last.Form["mode"]);
        Assert.False(emulator.Last.Form.ContainsKey("negative_prompt"));
        Assert.False(emulator.Last.Form.ContainsKey("style_preset"));
        Assert.False(emulator.Last.Form.ContainsKey("seed"));
    }

    [Fact]
    public async Task GenerateImage_NoModel_FirstListedModelServes()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        var config = new ProviderConfig
        {
            Name = "stability",
            Type = StabilityProviderFactory.TypeName,
            BaseUrl = emulator.Root,
            ApiKey = new Secret("STABILITY_API_KEY", StabilityEmulator.Key),
            Models = new Dictionary<Modality, IReadOnlyList<string>> { [Modality.Image] = ["sd3.5-medium", "core"] },
        };
        var provider = new StabilityProvider(config, new StabilityOptions(), new HttpClient(), TimeProvider.System);

        Assert.Null(provider.CheckCapable(Modality.Image, null, Image()));
        var result = await provider.GenerateImageAsync(null, Image(), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("sd3.5-medium", emulator.Last.Form["model"]);
        Assert.Contains("does not serve", provider.CheckCapable(Modality.Image, "ultra", Image()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateImage_Ultra_PostsToUltra()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator).GenerateImageAsync("ultra", Image(), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal("/v2beta/stable-image/generate/ultra", emulator.Last.Path);
    }

    [Theory]
    [InlineData(1792, 1024, "16:9")]
    [InlineData(1024, 1792, "9:16")]
    [InlineData(1536, 1024, "3:2")]
    [InlineData(1024, 1536, "2:3")]
    [InlineData(256, 256, "1:1")]
    [InlineData(1280, 1024, "5:4")]
    [InlineData(2048, 880, "21:9")]
    public async Task GenerateImage_AnySize_ClosestAspectRatioCroppedAndScaledToTheExactSize(int width, int height, string ratio)
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator).GenerateImageAsync(null, Image(width, height), Ct);

        Assert.Equal(ratio, emulator.Last.Form["aspect_ratio"]);
        var image = Assert.Single(result.Value!.Images);
        Assert.Equal(new ImageDimensions(width, height, "image/png"), ImageInspector.Inspect(image.Data.Span));
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(Image(width, height), result.Value));
    }

    [Fact]
    public async Task GenerateImage_AcceptJson_Base64ReplyDecoded()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator, options: new StabilityOptions { AcceptJson = true }).GenerateImageAsync(null, Image(512, 512), Ct);

        Assert.Equal("application/json", emulator.Last.Header("accept"));
        Assert.Equal((512, 512), ImageInspector.GetSize(Assert.Single(result.Value!.Images).Data.Span));
    }

    [Fact]
    public async Task GenerateImage_FinishReasonHeaderContentFiltered_ContentRejectedDespite200()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(StabilityEmulator.Filtered());

        var result = await Provider(emulator).GenerateImageAsync(null, Image(), Ct);

        Assert.Equal(ErrorClass.ContentRejected, result.Failure!.Class);
        Assert.Equal("content_filtered", result.Failure.Code);
        Assert.Equal(200, result.Failure.HttpStatus);
    }

    [Fact]
    public async Task GenerateImage_JsonFinishReasonContentFiltered_ContentRejected()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(StabilityEmulator.Filtered(json: true));

        var result = await Provider(emulator, options: new StabilityOptions { AcceptJson = true }).GenerateImageAsync(null, Image(), Ct);

        Assert.Equal(ErrorClass.ContentRejected, result.Failure!.Class);
    }

    [Fact]
    public async Task GenerateImage_EmptyBody200_NoImagesForTheOutputCheck()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "image/png", "", ("finish-reason", "SUCCESS")));

        var result = await Provider(emulator).GenerateImageAsync(null, Image(), Ct);

        Assert.Empty(result.Value!.Images);
    }

    [Fact]
    public async Task GenerateImage_FinishReasonError_Unavailable()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "application/json", """{"image":"","finish_reason":"ERROR","seed":1}"""));

        var result = await Provider(emulator).GenerateImageAsync(null, Image(), Ct);

        Assert.Equal(ErrorClass.Unavailable, result.Failure!.Class);
        Assert.Equal("generation_error", result.Failure.Code);
    }

    public static TheoryData<int, string, string, ErrorClass, string> Errors => new()
    {
        { 400, "bad_request", "aspect_ratio: must be one of 16:9, 1:1", ErrorClass.InvalidRequest, "bad_request" },
        { 401, "unauthorized", "authorization: invalid or missing", ErrorClass.Auth, "unauthorized" },
        { 402, "payment_required", "You lack sufficient credits to make this request.", ErrorClass.Misconfigured, "insufficient_credits" },
        { 403, "content_moderation", "Your request was flagged by our content moderation system.", ErrorClass.ContentRejected, "content_moderation" },
        { 403, "forbidden", "This key may not use this endpoint.", ErrorClass.Auth, "forbidden" },
        { 404, "not_found", "model not found", ErrorClass.Misconfigured, "model_not_found" },
        { 413, "payload_too_large", "body: payloads cannot be larger than 10MiB", ErrorClass.InvalidRequest, "payload_too_large" },
        { 422, "invalid_language", "English is the only supported language for this service.", ErrorClass.InvalidRequest, "invalid_language" },
        { 429, "rate_limit_exceeded", "You have exceeded the rate limit of 150 requests within a 10 second period.", ErrorClass.RateLimited, "rate_limit_exceeded" },
        { 500, "internal_error", "An unexpected server error has occurred.", ErrorClass.Unavailable, "internal_error" },
        { 503, "service_unavailable", "Try again later.", ErrorClass.Unavailable, "service_unavailable" },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task GenerateImage_ErrorBody_MapsToItsClass(int status, string name, string message, ErrorClass expected, string code)
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(StabilityEmulator.Error(status, name, message));

        var result = await Provider(emulator).GenerateImageAsync(null, Image(), Ct);

        Assert.Equal(expected, result.Failure!.Class);
        Assert.Equal(code, result.Failure.Code);
        Assert.Equal(status, result.Failure.HttpStatus);
        Assert.Contains(message[..12], result.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(StabilityEmulator.Key, result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateImage_429RetryAfter_Carried()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(StabilityEmulator.Error(429, "rate_limit_exceeded", "slow down", retryAfter: "10"));

        var result = await Provider(emulator).GenerateImageAsync(null, Image(), Ct);

        Assert.Equal(TimeSpan.FromSeconds(10), result.Failure!.RetryAfter);
    }

    [Fact]
    public async Task GenerateImage_WrongKey_AuthFromTheEmulatorsOwnCheck()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Provider(emulator, key: "sk-wrong").GenerateImageAsync(null, Image(), Ct);

        Assert.Equal(ErrorClass.Auth, result.Failure!.Class);
    }

    [Fact]
    public async Task GenerateImage_SlowAnswer_AttemptCancellationPropagates()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(emulator.Slow(TimeSpan.FromSeconds(30)));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        attempt.CancelAfter(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Provider(emulator).GenerateImageAsync(null, Image(), attempt.Token));
    }

    [Fact]
    public async Task Readiness_KeyVariableUnset_MisconfiguredNamingIt_NoCallMade()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        var provider = Provider(emulator, key: null);

        Assert.Equal("api_key is missing (STABILITY_API_KEY is not set in this environment): set the Stability API key and restart", provider.Readiness.Problem);
        var result = await provider.GenerateImageAsync(null, Image(), Ct);
        Assert.Equal(ErrorClass.Misconfigured, result.Failure!.Class);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task CheckCapable_ImagesOnlyAndSizesItCanServe()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        var provider = Provider(emulator);

        Assert.Null(provider.CheckCapable(Modality.Image, "sd3.5-medium", Image(1536, 640)));
        Assert.Contains("images only", provider.CheckCapable(Modality.Text, null, TestProviders.Chat("x")), StringComparison.Ordinal);
        Assert.Contains("9:21 to 21:9", provider.CheckCapable(Modality.Image, null, Image(2048, 512)), StringComparison.Ordinal);
        Assert.Contains("64 to 2048", provider.CheckCapable(Modality.Image, null, Image(4096, 4096)), StringComparison.Ordinal);
        Assert.Contains("does not serve", provider.CheckCapable(Modality.Image, "dall-e-3", Image()), StringComparison.Ordinal);
        Assert.Contains("one image per request", provider.CheckCapable(Modality.Image, null, Image() with { Count = 3 }), StringComparison.Ordinal);
        var chat = await provider.CompleteChatAsync(null, TestProviders.Chat("x"), Ct);
        Assert.Equal(ErrorClass.InvalidRequest, chat.Failure!.Class);
    }

    [Fact]
    public void Validate_EveryProblemWithItsPath()
    {
        var values = new Dictionary<string, string?>
        {
            ["providers:stability:type"] = "stability",
            ["providers:stability:accept"] = "xml",
            ["providers:stability:engine"] = "sdxl",
            ["providers:stability:models:image:0"] = "dall-e-3",
            ["providers:stability:models:text:0"] = "core",
            ["routes:image:modality"] = "image",
            ["routes:image:chain:0:provider"] = "stability",
        };
        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        var exception = Assert.Throws<ConfigException>(() => new ConfigLoader(ProviderCatalog.Factories, _ => null).Load(root));

        var paths = exception.Problems.Select(p => p.Path).ToList();
        Assert.Contains("providers.stability.accept", paths);
        Assert.Contains("providers.stability.engine", paths);
        Assert.Contains("providers.stability.api_key", paths);
        Assert.Contains("providers.stability.models.image", paths);
        Assert.Contains("providers.stability.models.text", paths);
    }
}
