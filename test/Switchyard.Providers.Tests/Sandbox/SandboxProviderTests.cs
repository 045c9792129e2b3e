using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Sandbox;

namespace Switchyard.Providers.Tests.Sandbox;

public sealed class SandboxProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("rate_limited", ErrorClass.RateLimited, 429, "rate_limit_exceeded")]
    [InlineData("unavailable", ErrorClass.Unavailable, 503, "server_error")]
    [InlineData("content_rejected", ErrorClass.ContentRejected, 400, "content_policy_violation")]
    [InlineData("auth", ErrorClass.Auth, 401, "invalid_api_key")]
    [InlineData("invalid_request", ErrorClass.InvalidRequest, 400, "invalid_request_error")]
    public async Task ForcedFault_EachClass_MapsToContract(string name, ErrorClass expected, int status, string code)
    {
        var provider = TestProviders.Sandbox(new() { ["retry_after"] = "2s" });

        var image = await provider.GenerateImageAsync(null, TestProviders.Image($"a fox [fail:{name}]"), Ct);
        var chat = await provider.CompleteChatAsync(null, TestProviders.Chat($"hello [fail:{name}]"), Ct);
        var speech = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech($"[fail:{name}] hi", AudioFormat.Wav), Ct);

        foreach (var failure in new[] { image.Failure, chat.Failure, speech.Failure })
        {
            Assert.NotNull(failure);
            Assert.Equal(expected, failure.Class);
            Assert.Equal(status, failure.HttpStatus);
            Assert.Equal(code, failure.Code);
            Assert.StartsWith("sandbox: simulated", failure.Message, StringComparison.Ordinal);
            Assert.Equal(expected == ErrorClass.RateLimited ? TimeSpan.FromSeconds(2) : null, failure.RetryAfter);
        }
    }

    [Fact]
    public async Task ForcedFault_ForAnotherProvider_Succeeds()
    {
        var a = TestProviders.Sandbox(name: "sandbox-a");
        var b = TestProviders.Sandbox(name: "sandbox-b");
        var request = TestProviders.Chat("hello [fail:unavailable@sandbox-a]");

        var onA = await a.CompleteChatAsync(null, request, Ct);
        var onB = await b.CompleteChatAsync(null, request, Ct);

        Assert.Equal(ErrorClass.Unavailable, onA.Failure?.Class);
        Assert.True(onB.Succeeded);
    }

    [Fact]
    public async Task ForcedFault_OnlyLastUserMessageCounts()
    {
        var provider = TestProviders.Sandbox();
        var request = new ChatRequest
        {
            Messages = [new("user", "[fail:auth]"), new("assistant", "ok"), new("user", "and now?")],
        };

        Assert.True((await provider.CompleteChatAsync(null, request, Ct)).Succeeded);
    }

    [Fact]
    public async Task ForcedFault_UnknownClass_IsInvalidRequestNamingTheClasses()
    {
        var provider = TestProviders.Sandbox();

        var result = await provider.CompleteChatAsync(null, TestProviders.Chat("[fail:bogus]"), Ct);

        Assert.Equal(ErrorClass.InvalidRequest, result.Failure?.Class);
        Assert.Contains("rate_limited", result.Failure?.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimeoutFault_WaitsUntilCancelled_ThenReportsTimeout()
    {
        var time = new FakeTimeProvider();
        var provider = TestProviders.Sandbox(time: time, timeout: TimeSpan.FromSeconds(30));
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var task = provider.CompleteChatAsync(null, TestProviders.Chat("slow [fail:timeout]"), attempt.Token).AsTask();
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(task.IsCompleted);
        await attempt.CancelAsync();
        var result = await task;

        Assert.Equal(ErrorClass.Timeout, result.Failure?.Class);
        Assert.Null(result.Failure?.HttpStatus);
        Assert.True(result.Failure?.IsTransient);
    }

    [Fact]
    public async Task TimeoutFault_NeverCancelled_EndsAtProviderTimeout()
    {
        var time = new FakeTimeProvider();
        var provider = TestProviders.Sandbox(time: time, timeout: TimeSpan.FromSeconds(30));

        var task = provider.CompleteChatAsync(null, TestProviders.Chat("slow [fail:timeout]"), Ct).AsTask();
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal(ErrorClass.Timeout, (await task).Failure?.Class);
    }

    [Fact]
    public async Task Latency_WaitsOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var provider = TestProviders.Sandbox(new() { ["latency"] = "120ms" }, time);

        var task = provider.CompleteChatAsync(null, TestProviders.Chat("hello"), Ct).AsTask();
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(119));
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True((await task).Succeeded);
    }

    [Fact]
    public async Task Latency_CancelledWhileWaiting_Throws()
    {
        var time = new FakeTimeProvider();
        var provider = TestProviders.Sandbox(new() { ["latency"] = "1s" }, time);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var task = provider.CompleteChatAsync(null, TestProviders.Chat("hello"), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task FaultRatios_WithSeed_RoughlyHonouredAndReproducible()
    {
        Dictionary<string, string> settings = new()
        {
            ["faults:unavailable"] = "0.2",
            ["faults:rate_limited"] = "0.1",
            ["faults:content_rejected"] = "0.05",
            ["faults:auth"] = "0.05",
            ["fault_seed"] = "1234",
        };
        const int Draws = 2000;

        var first = await DrawAsync(TestProviders.Sandbox(settings), Draws);
        var second = await DrawAsync(TestProviders.Sandbox(settings), Draws);

        Assert.Equal(first, second);
        var counts = first.GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        AssertNear(0.6, counts.GetValueOrDefault(ErrorClass.Cancelled));
        AssertNear(0.2, counts.GetValueOrDefault(ErrorClass.Unavailable));
        AssertNear(0.1, counts.GetValueOrDefault(ErrorClass.RateLimited));
        AssertNear(0.05, counts.GetValueOrDefault(ErrorClass.ContentRejected));
        AssertNear(0.05, counts.GetValueOrDefault(ErrorClass.Auth));
        Assert.False(counts.ContainsKey(ErrorClass.Timeout));

        static void AssertNear(double ratio, int count) =>
            Assert.InRange(count, (int)((ratio * Draws) - (0.025 * Draws)), (int)((ratio * Draws) + (0.025 * Draws)));

        // Successes are counted as Cancelled, a class the sandbox never injects.
        static async Task<List<ErrorClass>> DrawAsync(SandboxProvider provider, int n)
        {
            var result = new List<ErrorClass>(n);
            for (var i = 0; i < n; i++)
            {
                var outcome = await provider.CompleteChatAsync(null, TestProviders.Chat("hi"), Ct);
                result.Add(outcome.Failure?.Class ?? ErrorClass.Cancelled);
            }

            return result;
        }
    }

    [Fact]
    public async Task Empty_EachModality_ReturnsEmptySuccess()
    {
        var provider = TestProviders.Sandbox(new() { ["faults:unavailable"] = "1" });

        var image = await provider.GenerateImageAsync(null, TestProviders.Image("x [empty]"), Ct);
        var chat = await provider.CompleteChatAsync(null, TestProviders.Chat("x [empty]"), Ct);
        var speech = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("x [empty]", AudioFormat.Wav), Ct);
        var stream = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("x [empty@sandbox-a]"), Ct));

        Assert.Empty(image.Value!.Images);
        Assert.Equal(string.Empty, chat.Value!.Content);
        Assert.Equal(0, chat.Value.CompletionTokens);
        Assert.Equal(0, speech.Value!.Audio.Length);
        Assert.Equal(TimeSpan.Zero, speech.Value.Duration);
        var only = Assert.Single(stream);
        Assert.Equal("stop", only.FinishReason);
    }

    [Fact]
    public async Task GenerateImage_ReturnsDecodablePngsDeterministically()
    {
        var provider = TestProviders.Sandbox();
        var request = TestProviders.Image("a lighthouse at night", 1024, 1536, count: 2);

        var first = (await provider.GenerateImageAsync("sandbox-image", request, Ct)).Value!;
        var again = (await provider.GenerateImageAsync(null, request, Ct)).Value!;
        var other = (await provider.GenerateImageAsync(null, request with { Prompt = "a forest" }, Ct)).Value!;

        Assert.Equal(2, first.Images.Count);
        foreach (var image in first.Images)
        {
            Assert.Equal("image/png", image.ContentType);
            Assert.Equal((1024, 1536), (image.Width, image.Height));
            Assert.Equal((1024, 1536), ImageInspector.GetSize(image.Data.Span));
        }

        Assert.False(first.Images[0].Data.Span.SequenceEqual(first.Images[1].Data.Span));
        Assert.True(first.Images[0].Data.Span.SequenceEqual(again.Images[0].Data.Span));
        Assert.False(first.Images[0].Data.Span.SequenceEqual(other.Images[0].Data.Span));
    }

    [Fact]
    public async Task GenerateImage_DirectiveForOtherProvider_SameImageAsWithout()
    {
        var provider = TestProviders.Sandbox(name: "sandbox-b");

        var plain = (await provider.GenerateImageAsync(null, TestProviders.Image("a fox"), Ct)).Value!;
        var directed = (await provider.GenerateImageAsync(null, TestProviders.Image("a fox [fail:auth@sandbox-a]"), Ct)).Value!;

        Assert.True(plain.Images[0].Data.Span.SequenceEqual(directed.Images[0].Data.Span));
    }

    [Fact]
    public async Task CompleteChat_ProseReply_MarkedAsSandboxWithTokenEstimates()
    {
        var provider = TestProviders.Sandbox();
        var request = TestProviders.Chat("Explain photosynthesis to a child");

        var output = (await provider.CompleteChatAsync(null, request, Ct)).Value!;

        Assert.StartsWith("[sandbox] ", output.Content, StringComparison.Ordinal);
        Assert.Contains("photosynthesis", output.Content, StringComparison.Ordinal);
        Assert.Equal("stop", output.FinishReason);
        Assert.Equal((output.Content.Length + 3) / 4, output.CompletionTokens);
        Assert.True(output.PromptTokens > 0);
        Assert.Equal(output, (await provider.CompleteChatAsync(null, request, Ct)).Value);
    }

    [Fact]
    public async Task CompleteChat_MaxTokens_CutsWithLength()
    {
        var provider = TestProviders.Sandbox();

        var output = (await provider.CompleteChatAsync(null, TestProviders.Chat("Explain photosynthesis", maxTokens: 5), Ct)).Value!;

        Assert.Equal("length", output.FinishReason);
        Assert.Equal(20, output.Content.Length);
    }

    [Fact]
    public async Task CompleteChat_JsonWithFields_ValidJsonWithThoseFields()
    {
        var provider = TestProviders.Sandbox();

        var output = (await provider.CompleteChatAsync(null, TestProviders.Chat("Flashcard for 'cardio' as JSON with fields front, back, image_description"), Ct)).Value!;

        using var document = JsonDocument.Parse(output.Content);
        var root = document.RootElement;
        Assert.Equal(["front", "back", "image_description"], root.EnumerateObject().Select(p => p.Name));
        foreach (var property in root.EnumerateObject())
        {
            Assert.Contains("sandbox", property.Value.GetString(), StringComparison.Ordinal);
            Assert.Contains("cardio", property.Value.GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CompleteChat_JsonOutputWithoutFields_ValidJsonSayingSandbox()
    {
        var provider = TestProviders.Sandbox();

        var output = (await provider.CompleteChatAsync(null, TestProviders.Chat("Describe a cat", json: true, maxTokens: 3), Ct)).Value!;

        using var document = JsonDocument.Parse(output.Content);
        Assert.Equal("sandbox", document.RootElement.GetProperty("source").GetString());
        Assert.Equal("stop", output.FinishReason);
    }

    [Fact]
    public async Task StreamChat_YieldsSeveralChunksThenFinish()
    {
        var provider = TestProviders.Sandbox();
        var request = TestProviders.Chat("Tell me about the history of trains in Europe");

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, request, Ct));
        var whole = (await provider.CompleteChatAsync(null, request, Ct)).Value!;

        Assert.True(events.Count >= 4);
        Assert.All(events[..^1], e => Assert.True(e.Delta.Length > 0 && e.FinishReason is null && e.Failure is null));
        Assert.Equal("stop", events[^1].FinishReason);
        Assert.Equal(whole.Content, string.Concat(events.Select(e => e.Delta)));
    }

    [Fact]
    public async Task StreamChat_FirstChunkAfterLatency()
    {
        var time = new FakeTimeProvider();
        var provider = TestProviders.Sandbox(new() { ["latency"] = "200ms" }, time);
        await using var stream = provider.StreamChatAsync(null, TestProviders.Chat("hello there"), Ct).GetAsyncEnumerator(Ct);

        var first = stream.MoveNextAsync().AsTask();
        Assert.False(first.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(200));

        Assert.True(await first);
        Assert.StartsWith("[sandbox]", stream.Current.Delta, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamChat_FaultBeforeFirstText_SingleFailEvent()
    {
        var provider = TestProviders.Sandbox();

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("hi [fail:rate_limited]"), Ct));

        var only = Assert.Single(events);
        Assert.Equal(ErrorClass.RateLimited, only.Failure?.Class);
        Assert.Equal(TimeSpan.FromSeconds(1), only.Failure?.RetryAfter);
    }

    [Fact]
    public async Task SynthesizeSpeech_Wav_ValidHeaderAndDuration()
    {
        var provider = TestProviders.Sandbox();

        var output = (await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Hello from the sandbox", AudioFormat.Wav), Ct)).Value!;

        Assert.Equal(AudioFormat.Wav, output.Format);
        var duration = AudioInspector.GetWavDuration(output.Audio.Span);
        Assert.NotNull(duration);
        Assert.True(duration > TimeSpan.Zero);
        Assert.Equal(output.Duration.TotalMilliseconds, duration.Value.TotalMilliseconds, 1);
    }

    [Fact]
    public async Task SynthesizeSpeech_PcmFromTone_LengthMatches24kHz()
    {
        var provider = TestProviders.Sandbox(speech: TestProviders.ToneSpeech());
        var expected = ToneGenerator.Melody("Sandbox. Hello pcm", 1.0);

        var output = (await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Hello pcm", AudioFormat.Pcm), Ct)).Value!;

        Assert.Equal(expected.Samples.Length * 2, output.Audio.Length);
        Assert.Equal(expected.Duration, output.Duration);
        Assert.Equal(output.Duration, AudioInspector.GetPcmDuration(output.Audio.Span));
    }

    [Fact]
    public async Task SynthesizeSpeech_PcmOnThisMachine_Is24kHzForItsDuration()
    {
        var provider = TestProviders.Sandbox();

        var output = (await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Hello pcm", AudioFormat.Pcm), Ct)).Value!;

        Assert.Equal(0, output.Audio.Length % 2);
        Assert.Equal(output.Duration, AudioInspector.GetPcmDuration(output.Audio.Span));
    }

    [Theory]
    [InlineData(AudioFormat.Mp3)]
    [InlineData(AudioFormat.Opus)]
    [InlineData(AudioFormat.Flac)]
    public async Task SynthesizeSpeech_EncodedFormat_HasSignatureOrIsNotCapable(AudioFormat format)
    {
        var provider = TestProviders.Sandbox();
        var request = TestProviders.Speech("Encoded speech", format);

        var reason = provider.CheckCapable(Modality.Speech, null, request);
        var result = await provider.SynthesizeSpeechAsync(null, request, Ct);

        Assert.Equal(reason is null, AudioEncoder.Default.IsAvailable(format));
        if (reason is null)
        {
            Assert.True(AudioInspector.HasSignature(format, result.Value!.Audio.Span));
        }
        else
        {
            Assert.Equal(ErrorClass.InvalidRequest, result.Failure?.Class);
        }
    }

    [Fact]
    public void CheckCapable_ExplainsWhatIsMissing()
    {
        var provider = TestProviders.Sandbox(encoder: TestProviders.BareEncoder());

        Assert.Null(provider.CheckCapable(Modality.Image, null, TestProviders.Image("x", 1792, 1024, 4)));
        Assert.Null(provider.CheckCapable(Modality.Text, "sandbox-text", TestProviders.Chat("x")));
        Assert.Null(provider.CheckCapable(Modality.Speech, "sandbox-speech", TestProviders.Speech("x", AudioFormat.Pcm)));
        Assert.Contains("300x300", provider.CheckCapable(Modality.Image, null, TestProviders.Image("x", 300, 300)), StringComparison.Ordinal);
        Assert.Contains("1 to 4 images", provider.CheckCapable(Modality.Image, null, TestProviders.Image("x", count: 5)), StringComparison.Ordinal);
        Assert.Contains("model 'gpt-4o'", provider.CheckCapable(Modality.Text, "gpt-4o", TestProviders.Chat("x")), StringComparison.Ordinal);
        Assert.Contains("model 'sandbox-text'", provider.CheckCapable(Modality.Image, "sandbox-text", TestProviders.Image("x")), StringComparison.Ordinal);
        Assert.Equal(
            "mp3 output needs the 'lame' program (apt-get install lame); available here: wav, pcm",
            provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Mp3)));
        Assert.NotNull(provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Aac)));
        Assert.NotNull(provider.CheckCapable(Modality.Speech, null, TestProviders.Chat("x")));
    }

    [Fact]
    public void ModelsFor_IncludesConfiguredModels()
    {
        var config = TestProviders.Config("sandbox-a", "sandbox") with
        {
            Models = new Dictionary<Modality, IReadOnlyList<string>> { [Modality.Image] = ["sandbox-image", "fancy-image"] },
        };
        var provider = new SandboxProvider(config, new SandboxOptions(), TimeProvider.System);

        Assert.Equal(["sandbox-image", "fancy-image"], provider.ModelsFor(Modality.Image));
        Assert.Equal(["sandbox-text"], provider.ModelsFor(Modality.Text));
        Assert.Null(provider.CheckCapable(Modality.Image, "fancy-image", TestProviders.Image("x")));
    }
}
