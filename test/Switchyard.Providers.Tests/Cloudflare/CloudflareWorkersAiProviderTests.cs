using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Cloudflare;
using Switchyard.Providers.Media;
using Switchyard.Providers.Tests.Emulators;

namespace Switchyard.Providers.Tests.Cloudflare;

public sealed class CloudflareWorkersAiProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateImage_Flux_PostsToAccountModelPathWithBearerAndPromptOnly()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Flux, CloudflareFixture.Image(seed: 42, negative: "fog"), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var request = emulator.Last;
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/client/v4/accounts/{CloudflareEmulator.Account}/ai/run/@cf/black-forest-labs/flux-1-schnell", request.Path);
        Assert.Equal("Bearer " + CloudflareEmulator.Token, request.Header("authorization"));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        var body = JsonDocument.Parse(request.Body).RootElement;
        Assert.Equal("a lighthouse at dusk", body.GetProperty("prompt").GetString());
        Assert.Equal(42, body.GetProperty("seed").GetInt64());
        // FLUX.1 [schnell] takes neither a size nor a negative prompt.
        Assert.False(body.TryGetProperty("width", out _));
        Assert.False(body.TryGetProperty("negative_prompt", out _));
    }

    [Fact]
    public async Task GenerateImage_FluxBase64Jpeg_ServedAsPngAtRequestedSize()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Flux, CloudflareFixture.Image(width: 512, height: 768), Ct);

        var image = Assert.Single(result.Value!.Images);
        Assert.Equal("image/png", image.ContentType);
        Assert.Equal(new ImageDimensions(512, 768, "image/png"), ImageInspector.Inspect(image.Data.Span));
    }

    [Fact]
    public async Task GenerateImage_SdxlRawPngBytes_SendsSizeAndNegativePrompt()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Sdxl, CloudflareFixture.Image(width: 1024, height: 768, negative: "blurry"), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.EndsWith("/ai/run/@cf/stabilityai/stable-diffusion-xl-base-1.0", emulator.Last.Path, StringComparison.Ordinal);
        var body = JsonDocument.Parse(emulator.Last.Body).RootElement;
        Assert.Equal(1024, body.GetProperty("width").GetInt32());
        Assert.Equal(768, body.GetProperty("height").GetInt32());
        Assert.Equal("blurry", body.GetProperty("negative_prompt").GetString());
        var image = Assert.Single(result.Value!.Images);
        Assert.Equal(new ImageDimensions(1024, 768, "image/png"), ImageInspector.Inspect(image.Data.Span));
    }

    [Fact]
    public async Task GenerateImage_SmallSize_AsksForTheSmallestUpstreamSizeAndScalesDown()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Sdxl, CloudflareFixture.Image(width: 100, height: 100), Ct);

        var body = JsonDocument.Parse(emulator.Last.Body).RootElement;
        Assert.Equal(CloudflareModels.MinSide, body.GetProperty("width").GetInt32());
        Assert.Equal((100, 100), ImageInspector.GetSize(Assert.Single(result.Value!.Images).Data.Span));
    }

    [Fact]
    public async Task GenerateImage_EmptyImageOn200_ReturnsNoImagesForTheOutputCheck()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "application/json", CloudflareEmulator.Envelope(new { image = "" })));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Flux, CloudflareFixture.Image(), Ct);

        Assert.True(result.Succeeded);
        Assert.Empty(result.Value!.Images);
        var failure = new OutputValidator(ProviderCatalog.MediaInspector).Check(CloudflareFixture.Image(), result.Value);
        Assert.Equal(ErrorClass.Unavailable, failure!.Class);
        Assert.Equal("empty_output", failure.Code);
    }

    [Fact]
    public async Task GenerateImage_NullResultOn200_ReturnsNoImages()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "application/json", CloudflareEmulator.Envelope(null)));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Flux, CloudflareFixture.Image(), Ct);

        Assert.Empty(result.Value!.Images);
    }

    [Fact]
    public async Task GenerateImage_BytesThatAreNoImage_Unavailable()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "image/png", "not a png at all"));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.GenerateImageAsync(CloudflareModels.Sdxl, CloudflareFixture.Image(), Ct);

        Assert.Equal(ErrorClass.Unavailable, result.Failure!.Class);
        Assert.Equal("undecodable_output", result.Failure.Code);
    }

    [Fact]
    public async Task CompleteChat_SendsMessagesAndOptions_ReturnsResponseAndUsage()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);
        var request = new ChatRequest
        {
            Messages = [new ChatMessage("developer", "Be brief."), new ChatMessage("user", "Say hello")],
            MaxTokens = 64,
            Temperature = 0.2,
            Seed = 7,
        };

        var result = await provider.CompleteChatAsync(null, request, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(new ChatOutput(CloudflareEmulator.Reply, "stop", 12, 5), result.Value);
        Assert.EndsWith("/ai/run/" + CloudflareModels.Llama31, emulator.Last.Path, StringComparison.Ordinal);
        var body = JsonDocument.Parse(emulator.Last.Body).RootElement;
        Assert.Equal("system", body.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("Say hello", body.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.Equal(64, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble());
        Assert.Equal(7, body.GetProperty("seed").GetInt64());
        Assert.False(body.TryGetProperty("stream", out _));
    }

    [Fact]
    public async Task CompleteChat_BlankResponse_ReturnsBlankForTheOutputCheck()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "application/json", CloudflareEmulator.Envelope(new { response = "" })));
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.CompleteChatAsync(null, TestProviders.Chat("hi"), Ct);

        Assert.Equal("empty_output", OutputValidator.Check(result.Value!)!.Code);
    }

    [Fact]
    public async Task StreamChat_ServerSentEvents_YieldsPiecesThenStop()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(CloudflareModels.Llama33, TestProviders.Chat("hi"), Ct));

        Assert.Equal(CloudflareEmulator.StreamPieces, events.Where(e => e.FinishReason is null).Select(e => e.Delta));
        Assert.Equal("stop", events[^1].FinishReason);
        Assert.All(events, e => Assert.Null(e.Failure));
        Assert.True(JsonDocument.Parse(emulator.Last.Body).RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task StreamChat_EndsWithoutDone_FailsUnavailableAfterThePieces()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(CloudflareEmulator.BrokenStream());
        var provider = CloudflareFixture.Provider(emulator);

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("hi"), Ct));

        Assert.Equal(["Hello", " wor"], events.Where(e => e.Failure is null).Select(e => e.Delta));
        Assert.Equal(ErrorClass.Unavailable, events[^1].Failure!.Class);
        Assert.Equal("stream_interrupted", events[^1].Failure!.Code);
    }

    [Fact]
    public async Task StreamChat_429BeforeTheStream_FailsRateLimitedWithRetryAfter()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(CloudflareEmulator.Error(429, 3036, "You have used up your daily free allocation of 10,000 neurons.", retryAfter: "3"));
        var provider = CloudflareFixture.Provider(emulator);

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("hi"), Ct));

        var failure = Assert.Single(events).Failure!;
        Assert.Equal(ErrorClass.RateLimited, failure.Class);
        Assert.Equal(TimeSpan.FromSeconds(3), failure.RetryAfter);
    }

    [Fact]
    public async Task StreamChat_EnvelopeInsteadOfStream_YieldsItAsOnePiece()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(ScriptedEmulator.Raw(200, "application/json", CloudflareEmulator.Envelope(new { response = "whole" })));
        var provider = CloudflareFixture.Provider(emulator);

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("hi"), Ct));

        Assert.Equal(["whole", ""], events.Select(e => e.Delta));
        Assert.Equal("stop", events[^1].FinishReason);
    }

    [Fact]
    public async Task SynthesizeSpeech_MeloTts_SendsPromptAndLang_ReturnsMp3WithDuration()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Hello there", AudioFormat.Mp3), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.EndsWith("/ai/run/@cf/myshell-ai/melotts", emulator.Last.Path, StringComparison.Ordinal);
        var body = JsonDocument.Parse(emulator.Last.Body).RootElement;
        Assert.Equal("Hello there", body.GetProperty("prompt").GetString());
        Assert.Equal("en", body.GetProperty("lang").GetString());
        Assert.Equal(AudioFormat.Mp3, result.Value!.Format);
        Assert.Equal(40 * 1152 / 44100.0, result.Value.Duration.TotalSeconds, 3);
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(TestProviders.Speech("Hello there", AudioFormat.Mp3), result.Value));
    }

    [Fact]
    public async Task SynthesizeSpeech_RawAudioMpeg_Accepted()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(async context =>
        {
            context.Response.ContentType = "audio/mpeg";
            await context.Response.Body.WriteAsync(CloudflareEmulator.Mp3(10), context.RequestAborted);
        });
        var provider = CloudflareFixture.Provider(emulator);

        var result = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Hi", AudioFormat.Mp3), Ct);

        Assert.Equal(10 * 1152 / 44100.0, result.Value!.Duration.TotalSeconds, 3);
    }

    [Fact]
    public async Task CheckCapable_SaysWhatItCannotServe()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(emulator);

        Assert.Null(provider.CheckCapable(Modality.Image, null, CloudflareFixture.Image()));
        Assert.Contains("mp3 only", provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Wav)), StringComparison.Ordinal);
        Assert.Contains("speed", provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Mp3) with { Speed = 1.5 }), StringComparison.Ordinal);
        Assert.Contains("one image per request", provider.CheckCapable(Modality.Image, null, CloudflareFixture.Image() with { Count = 2 }), StringComparison.Ordinal);
        Assert.Contains("2048 characters", provider.CheckCapable(Modality.Image, CloudflareModels.Flux, CloudflareFixture.Image(new string('a', 3000))), StringComparison.Ordinal);
        Assert.Contains("does not serve", provider.CheckCapable(Modality.Text, "@cf/unknown/model", TestProviders.Chat("x")), StringComparison.Ordinal);
        Assert.Contains("64 to 2048", provider.CheckCapable(Modality.Image, null, CloudflareFixture.Image(width: 4096)), StringComparison.Ordinal);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task ModelsFor_ListedModelsServedFirst()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var provider = CloudflareFixture.Provider(CloudflareFixture.Config(emulator.BaseUrl, models: new() { [Modality.Text] = ["@cf/qwen/qwen1.5-14b-chat-awq"] }));

        Assert.Equal("@cf/qwen/qwen1.5-14b-chat-awq", provider.ModelsFor(Modality.Text)[0]);
        Assert.Null(provider.CheckCapable(Modality.Text, "@cf/qwen/qwen1.5-14b-chat-awq", TestProviders.Chat("x")));
        var result = await provider.CompleteChatAsync(null, TestProviders.Chat("x"), Ct);
        Assert.True(result.Succeeded);
        Assert.EndsWith("/ai/run/@cf/qwen/qwen1.5-14b-chat-awq", emulator.Last.Path, StringComparison.Ordinal);
    }
}
