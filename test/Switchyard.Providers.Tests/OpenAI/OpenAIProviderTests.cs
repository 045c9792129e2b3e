using System.Text.Json;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Tests.Common.Emulators;

namespace Switchyard.Providers.Tests.OpenAI;

/// <summary>The adapter against the loopback emulator of the OpenAI wire format: what it sends, and how it maps each answer.</summary>
public sealed class OpenAIProviderTests : IAsyncLifetime
{
    private OpenAIEmulator _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await OpenAIEmulator.StartAsync(Ct);
        _emulator.RequiredKey = OpenAITestProviders.Key;
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private IGenerationProvider Provider(string type = "openai", string? key = OpenAITestProviders.Key, Dictionary<string, string>? settings = null) =>
        OpenAITestProviders.Create(_emulator.BaseUrl, type, key, settings);

    private static ImageRequest Image(string prompt, int width = 1024, int height = 1024, int count = 1) =>
        new() { Prompt = prompt, Width = width, Height = height, Count = count };

    private static ChatRequest Chat(string prompt) => TestProviders.Chat(prompt);

    [Fact]
    public async Task GenerateImage_GptImage_SendsPathBearerAndBody_DecodesB64()
    {
        var result = await Provider().GenerateImageAsync("gpt-image-1", Image("a red fox", 1536, 1024, 2) with { Quality = "hd" }, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var request = Assert.Single(_emulator.Requests);
        Assert.Equal("/v1/images/generations", request.Path);
        Assert.Equal("Bearer " + OpenAITestProviders.Key, request.Header("authorization"));
        Assert.StartsWith("application/json", request.Header("content-type"), StringComparison.Ordinal);
        var body = request.Json;
        Assert.Equal("gpt-image-1", body.GetProperty("model").GetString());
        Assert.Equal("a red fox", body.GetProperty("prompt").GetString());
        Assert.Equal(2, body.GetProperty("n").GetInt32());
        Assert.Equal("1536x1024", body.GetProperty("size").GetString());
        Assert.Equal("high", body.GetProperty("quality").GetString());
        Assert.False(body.TryGetProperty("response_format", out _), "gpt-image-1 rejects response_format");
        Assert.Equal(2, result.Value!.Images.Count);
        Assert.All(result.Value.Images, i => Assert.Equal("image/png", i.ContentType));
        Assert.Equal((1536, 1024), ImageInspector.GetSize(result.Value.Images[0].Data.Span));
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(Image("x", 1536, 1024, 2), result.Value));
    }

    [Fact]
    public async Task GenerateImage_B64JsonNotBase64_BadResponseSayingSo()
    {
        var result = await Provider().GenerateImageAsync("gpt-image-1", Image("a fox #bad-b64", 256, 256), Ct);

        Assert.False(result.Succeeded);
        Assert.Equal("bad_response", result.Failure!.Code);
        Assert.Contains("b64_json is not valid base64", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateImage_B64JsonWithLineBreaks_StillDecoded()
    {
        var result = await Provider().GenerateImageAsync("gpt-image-1", Image("a fox #b64-lines", 256, 256), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal((256, 256), ImageInspector.GetSize(Assert.Single(result.Value!.Images).Data.Span));
    }

    [Fact]
    public async Task GenerateImage_DallE3_AsksForB64Json_KeepsRevisedPromptAndStyle()
    {
        var result = await Provider().GenerateImageAsync("dall-e-3", Image("a lighthouse", 1792, 1024) with { Style = "natural", Quality = "hd" }, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var body = Assert.Single(_emulator.Requests).Json;
        Assert.Equal("b64_json", body.GetProperty("response_format").GetString());
        Assert.Equal("natural", body.GetProperty("style").GetString());
        Assert.Equal("hd", body.GetProperty("quality").GetString());
        Assert.Equal("A revised: a lighthouse", result.Value!.Images[0].RevisedPrompt);
    }

    [Fact]
    public async Task GenerateImage_UrlAnswer_DownloadsWithoutKey()
    {
        var result = await Provider().GenerateImageAsync("dall-e-2", Image("a cat #url", 512, 512), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal((512, 512), ImageInspector.GetSize(result.Value!.Images[0].Data.Span));
        var download = _emulator.Requests[1];
        Assert.Equal("GET", download.Method);
        Assert.StartsWith("/files/", download.Path, StringComparison.Ordinal);
        Assert.Null(download.Header("authorization"));
    }

    [Fact]
    public async Task GenerateImage_UrlAnswerThatRedirects_FollowedWithAGetAndWithoutKey()
    {
        var result = await Provider().GenerateImageAsync("dall-e-2", Image("a cat #url-redirect", 256, 256), Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal((256, 256), ImageInspector.GetSize(result.Value!.Images[0].Data.Span));
        Assert.Equal(["/v1/images/generations", "/redirect/", "/files/"], _emulator.Requests.Select(r => r.Path.StartsWith("/v1", StringComparison.Ordinal) ? r.Path : r.Path[..(r.Path.IndexOf('/', 1) + 1)]));
        Assert.All(_emulator.Requests.Skip(1), r => Assert.Equal("GET", r.Method));
        Assert.All(_emulator.Requests.Skip(1), r => Assert.Null(r.Header("authorization")));
    }

    [Fact]
    public async Task GenerateImage_UrlDownloadFails_IsUnavailableAtDownloadStep()
    {
        var result = await Provider().GenerateImageAsync("dall-e-2", Image("a cat #url-missing", 512, 512), Ct);

        var failure = result.Failure!;
        Assert.Equal(ErrorClass.Unavailable, failure.Class);
        Assert.Equal("download", failure.Step);
        Assert.Equal("download_failed", failure.Code);
        Assert.Contains("HTTP 404", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("SECRETSIGNATURE", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateImage_EmptyData_ReturnsEmptyOutputThatTheValidatorFlags()
    {
        var result = await Provider().GenerateImageAsync("gpt-image-1", Image("nothing #empty"), Ct);

        Assert.True(result.Succeeded);
        Assert.Empty(result.Value!.Images);
        var flagged = new OutputValidator(ProviderCatalog.MediaInspector).Check(Image("nothing"), result.Value);
        Assert.Equal("empty_output", flagged?.Code);
        Assert.Equal(ErrorClass.Unavailable, flagged?.Class);
    }

    [Fact]
    public async Task GenerateImage_AimlApiFlux_SendsImageSizeAndReadsFalShape()
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config("aimlapi", _emulator.BaseUrl, name: "aiml"));

        var result = await provider.GenerateImageAsync("flux/schnell", Image("a banner", 1024, 768, 2) with { Seed = 7 }, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var body = _emulator.Requests[0].Json;
        Assert.Equal("/v1/images/generations", _emulator.Requests[0].Path);
        Assert.Equal(1024, body.GetProperty("image_size").GetProperty("width").GetInt32());
        Assert.Equal(768, body.GetProperty("image_size").GetProperty("height").GetInt32());
        Assert.Equal(2, body.GetProperty("num_images").GetInt32());
        Assert.Equal(7, body.GetProperty("seed").GetInt64());
        Assert.False(body.TryGetProperty("size", out _));
        Assert.Equal(2, result.Value!.Images.Count);
        Assert.Equal((1024, 768), ImageInspector.GetSize(result.Value.Images[1].Data.Span));
    }

    [Fact]
    public async Task GenerateImage_AimlApiNsfwFlag_IsContentRejected()
    {
        _emulator.Enqueue(new ScriptedResponse(200, """{"images":[{"url":"http://127.0.0.1:1/x.png"}],"has_nsfw_concepts":[true]}"""));
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config("aimlapi", _emulator.BaseUrl, name: "aiml"));

        var result = await provider.GenerateImageAsync("flux/schnell", Image("x", 1024, 768), Ct);

        Assert.Equal(ErrorClass.ContentRejected, result.Failure?.Class);
    }

    [Fact]
    public async Task CompleteChat_OpenAI_SendsMaxCompletionTokensAndOptions_MapsUsage()
    {
        var request = Chat("Say hello") with { MaxTokens = 50, Temperature = 0.2, TopP = 0.9, Seed = 3, Stop = ["\n\n"], JsonOutput = true };

        var result = await Provider().CompleteChatAsync("gpt-4o-mini", request, Ct);

        Assert.Equal(new ChatOutput("Hello from the emulator.", "stop", 13, 5), result.Value);
        var call = Assert.Single(_emulator.Requests);
        Assert.Equal("/v1/chat/completions", call.Path);
        var body = call.Json;
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        Assert.Equal(50, body.GetProperty("max_completion_tokens").GetInt32());
        Assert.False(body.TryGetProperty("max_tokens", out _));
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble());
        Assert.Equal(0.9, body.GetProperty("top_p").GetDouble());
        Assert.Equal(3, body.GetProperty("seed").GetInt64());
        Assert.Equal("\n\n", body.GetProperty("stop")[0].GetString());
        Assert.Equal("json_object", body.GetProperty("response_format").GetProperty("type").GetString());
        Assert.Equal("system", body.GetProperty("messages")[0].GetProperty("role").GetString());
        Assert.Equal("Say hello", body.GetProperty("messages")[1].GetProperty("content").GetString());
        Assert.False(body.TryGetProperty("stream", out _));
    }

    [Fact]
    public async Task CompleteChat_UpstreamRedirects_NotFollowedWithTheKey_MisconfiguredNamingTheLocation()
    {
        // A base_url that answers 307 towards the emulator: following it would resend the body and the key.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        var answer = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync(Ct);
            var stream = client.GetStream();
            var buffer = new byte[16384];
            var head = "";
            while (!head.Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, Ct);
                if (read == 0)
                {
                    break;
                }

                head += System.Text.Encoding.ASCII.GetString(buffer, 0, read);
            }

            var response = $"HTTP/1.1 307 Temporary Redirect\r\nLocation: {_emulator.BaseUrl}/chat/completions?sig=secret-token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(response), Ct);
        }, Ct);

        var redirected = await OpenAITestProviders.Create($"http://127.0.0.1:{port}/v1", "openai-compatible").CompleteChatAsync("gpt-4o-mini", Chat("hi"), Ct);
        await answer;

        Assert.False(redirected.Succeeded);
        Assert.Equal(ErrorClass.Misconfigured, redirected.Failure!.Class);
        Assert.Equal(307, redirected.Failure.HttpStatus);
        Assert.Equal("redirect", redirected.Failure.Code);
        Assert.Contains($"redirects to {_emulator.BaseUrl}/chat/completions;", redirected.Failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-token", redirected.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(_emulator.Requests); // the redirect was not followed
    }

    [Fact]
    public async Task CompleteChat_Compatible_SendsMaxTokensAndNoAuthWithoutKey()
    {
        _emulator.RequiredKey = null;
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config("openai-compatible", _emulator.BaseUrl, key: null, name: "ollama"));

        var result = await provider.CompleteChatAsync("llama3.2", Chat("hi") with { MaxTokens = 20 }, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        var call = Assert.Single(_emulator.Requests);
        Assert.Null(call.Header("authorization"));
        Assert.Equal(20, call.Json.GetProperty("max_tokens").GetInt32());
        Assert.False(call.Json.TryGetProperty("max_completion_tokens", out _));
    }

    [Fact]
    public async Task CompleteChat_ContentFilterFinish_IsPassedThroughForTheEngine()
    {
        var result = await Provider().CompleteChatAsync("gpt-4o-mini", Chat("tell me #filter"), Ct);

        Assert.Equal("content_filter", result.Value!.FinishReason);
        Assert.Equal(ErrorClass.ContentRejected, OutputValidator.Check(result.Value)?.Class);
    }

    [Fact]
    public async Task CompleteChat_NoChoices_ReturnsBlankTextThatTheValidatorFlags()
    {
        var result = await Provider().CompleteChatAsync("gpt-4o-mini", Chat("#empty"), Ct);

        Assert.Equal(string.Empty, result.Value!.Content);
        Assert.Equal("empty_output", OutputValidator.Check(result.Value)?.Code);
    }

    [Fact]
    public async Task CompleteChat_NoUsage_EstimatesTokens()
    {
        _emulator.Enqueue(new ScriptedResponse(200, """{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"abcdefgh"},"finish_reason":"length"}]}"""));

        var result = await Provider().CompleteChatAsync("gpt-4o-mini", Chat("hi"), Ct);

        Assert.Equal("length", result.Value!.FinishReason);
        Assert.Equal(2, result.Value.CompletionTokens);
        Assert.True(result.Value.PromptTokens > 0);
    }

    [Fact]
    public async Task StreamChat_YieldsEachDeltaThenFinish_AndAsksForUsage()
    {
        var events = await TestProviders.CollectAsync(Provider().StreamChatAsync("gpt-4o-mini", Chat("hello"), Ct));

        Assert.Equal(["Hello", " from the", " emulator.", ""], events.Select(e => e.Delta));
        Assert.Equal("stop", events[^1].FinishReason);
        Assert.All(events, e => Assert.Null(e.Failure));
        var body = Assert.Single(_emulator.Requests).Json;
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public async Task StreamChat_ErrorEventMidStream_FailsAfterTheText()
    {
        var events = await TestProviders.CollectAsync(Provider().StreamChatAsync("gpt-4o-mini", Chat("hello #stream-error"), Ct));

        Assert.Equal(["Hello", " from the"], events.Take(2).Select(e => e.Delta));
        var failure = events[^1].Failure!;
        Assert.Equal(3, events.Count);
        Assert.Equal(ErrorClass.Unavailable, failure.Class);
        Assert.Equal("server_error", failure.Code);
    }

    [Fact]
    public async Task StreamChat_ConnectionCutMidStream_FailsAsBrokenStream()
    {
        var events = await TestProviders.CollectAsync(Provider().StreamChatAsync("gpt-4o-mini", Chat("hello #stream-cut"), Ct));

        Assert.Equal("Hello", events[0].Delta);
        Assert.Equal("stream_broken", events[^1].Failure?.Code);
    }

    [Fact]
    public async Task StreamChat_Http500BeforeTheStream_IsOneFailEvent()
    {
        var events = await TestProviders.CollectAsync(Provider().StreamChatAsync("gpt-4o-mini", Chat("hello #status=500"), Ct));

        var only = Assert.Single(events);
        Assert.Equal(ErrorClass.Unavailable, only.Failure?.Class);
        Assert.Equal(500, only.Failure?.HttpStatus);
    }

    [Fact]
    public async Task StreamChat_CommentsAndEventErrorFrames_AreHandled()
    {
        _emulator.Enqueue(new ScriptedResponse(200, ": keep-alive\n\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\nevent: error\ndata: {\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n", "text/event-stream"));

        var events = await TestProviders.CollectAsync(Provider().StreamChatAsync("gpt-4o-mini", Chat("hello"), Ct));

        Assert.Equal("Hi", events[0].Delta);
        Assert.Equal(ErrorClass.RateLimited, events[1].Failure?.Class);
    }

    [Fact]
    public async Task SynthesizeSpeech_SendsFields_MeasuresWavDuration()
    {
        var request = new SpeechRequest { Input = "Hello there", Voice = "alloy", Format = AudioFormat.Wav, Speed = 1.25, Instructions = "Cheerful." };

        var result = await Provider().SynthesizeSpeechAsync("gpt-4o-mini-tts", request, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Equal(TimeSpan.FromSeconds(1), result.Value!.Duration);
        Assert.Equal(AudioFormat.Wav, result.Value.Format);
        var call = Assert.Single(_emulator.Requests);
        Assert.Equal("/v1/audio/speech", call.Path);
        var body = call.Json;
        Assert.Equal("gpt-4o-mini-tts", body.GetProperty("model").GetString());
        Assert.Equal("Hello there", body.GetProperty("input").GetString());
        Assert.Equal("alloy", body.GetProperty("voice").GetString());
        Assert.Equal("wav", body.GetProperty("response_format").GetString());
        Assert.Equal(1.25, body.GetProperty("speed").GetDouble());
        Assert.Equal("Cheerful.", body.GetProperty("instructions").GetString());
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(request, result.Value));
    }

    [Theory]
    [InlineData(AudioFormat.Mp3)]
    [InlineData(AudioFormat.Opus)]
    [InlineData(AudioFormat.Aac)]
    [InlineData(AudioFormat.Flac)]
    [InlineData(AudioFormat.Pcm)]
    public async Task SynthesizeSpeech_EveryFormat_PassesTheValidator(AudioFormat format)
    {
        var request = new SpeechRequest { Input = "One two three four five six", Voice = "nova", Format = format };

        var result = await Provider().SynthesizeSpeechAsync("tts-1", request, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.True(result.Value!.Duration > TimeSpan.Zero);
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(request, result.Value));
        Assert.False(_emulator.Requests[0].Json.TryGetProperty("instructions", out _));
    }

    [Fact]
    public async Task SynthesizeSpeech_EmptyBody_ReturnsEmptyAudioThatTheValidatorFlags()
    {
        var request = new SpeechRequest { Input = "#empty", Voice = "alloy" };

        var result = await Provider().SynthesizeSpeechAsync("tts-1", request, Ct);

        Assert.Equal("empty_output", new OutputValidator(ProviderCatalog.MediaInspector).Check(request, result.Value!)?.Code);
    }

    [Theory]
    [InlineData("#status=401", ErrorClass.Auth, 401, "invalid_api_key")]
    [InlineData("#status=403", ErrorClass.Auth, 403, "unsupported_country_region_territory")]
    [InlineData("#status=429", ErrorClass.RateLimited, 429, "rate_limit_exceeded")]
    [InlineData("#quota", ErrorClass.Misconfigured, 429, "insufficient_quota")]
    [InlineData("#policy", ErrorClass.ContentRejected, 400, "content_policy_violation")]
    [InlineData("#moderation", ErrorClass.ContentRejected, 400, "moderation_blocked")]
    [InlineData("#param", ErrorClass.InvalidRequest, 400, "invalid_value")]
    [InlineData("#model404", ErrorClass.Misconfigured, 404, "model_not_found")]
    [InlineData("#status=500", ErrorClass.Unavailable, 500, "server_error")]
    [InlineData("#status=503", ErrorClass.Unavailable, 503, "server_error")]
    [InlineData("#html502", ErrorClass.Unavailable, 502, "server_error")]
    public async Task GenerateImage_UpstreamErrors_MapToTheContract(string directive, ErrorClass expected, int status, string code)
    {
        var result = await Provider().GenerateImageAsync("gpt-image-1", Image("a fox " + directive), Ct);

        var failure = result.Failure!;
        Assert.Equal(expected, failure.Class);
        Assert.Equal(status, failure.HttpStatus);
        Assert.Equal(code, failure.Code);
        Assert.StartsWith("openai: HTTP", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OpenAITestProviders.Key, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_429WithRetryAfter_CarriesTheDelay()
    {
        var seconds = await Provider().CompleteChatAsync("gpt-4o-mini", Chat("hi #status=429"), Ct);
        var millis = await Provider().CompleteChatAsync("gpt-4o-mini", Chat("hi #retry-ms=750"), Ct);

        Assert.Equal(TimeSpan.FromSeconds(2), seconds.Failure?.RetryAfter);
        Assert.Equal(TimeSpan.FromMilliseconds(750), millis.Failure?.RetryAfter);
        Assert.Equal(ErrorClass.RateLimited, millis.Failure?.Class);
    }

    [Fact]
    public async Task SynthesizeSpeech_WrongKey_IsAuthWithoutEchoingTheKey()
    {
        var result = await Provider(key: "sk-wrong-key-abcdefghijkl").SynthesizeSpeechAsync("tts-1", new SpeechRequest { Input = "hi", Voice = "alloy" }, Ct);

        Assert.Equal(ErrorClass.Auth, result.Failure?.Class);
        Assert.DoesNotContain("sk-wrong-key-abcdefghijkl", result.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_ConnectionRefused_IsUnavailableAtSend()
    {
        var provider = OpenAITestProviders.Create($"http://127.0.0.1:{OpenAITestProviders.ClosedPort()}/v1");

        var result = await provider.CompleteChatAsync("gpt-4o-mini", Chat("hi"), Ct);

        Assert.Equal(ErrorClass.Unavailable, result.Failure?.Class);
        Assert.Equal("connection_failed", result.Failure?.Code);
        Assert.Equal("send", result.Failure?.Step);
    }

    [Fact]
    public async Task CompleteChat_SlowAnswerCancelledByTheToken_ThrowsOperationCanceled()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        cts.CancelAfter(TimeSpan.FromMilliseconds(200));

        // The engine turns the cancellation into timeout (its attempt timeout fired) or cancelled (the client left).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Provider().CompleteChatAsync("gpt-4o-mini", Chat("hi #slow=5s"), cts.Token));
    }

    [Fact]
    public async Task CompleteChat_MalformedJson_IsUnavailableBadResponse()
    {
        _emulator.Enqueue(new ScriptedResponse(200, "{not json"));

        var result = await Provider().CompleteChatAsync("gpt-4o-mini", Chat("hi"), Ct);

        Assert.Equal("bad_response", result.Failure?.Code);
    }

    [Fact]
    public async Task Post_OrganizationAndProjectSettings_AreSentAsHeaders()
    {
        await Provider(settings: new() { ["organization"] = "org-123", ["project"] = "proj_456" }).CompleteChatAsync("gpt-4o-mini", Chat("hi"), Ct);

        var call = Assert.Single(_emulator.Requests);
        Assert.Equal("org-123", call.Header("openai-organization"));
        Assert.Equal("proj_456", call.Header("openai-project"));
    }
}
