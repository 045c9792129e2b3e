using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Placeholder;

namespace Switchyard.Providers.Tests.Placeholder;

public sealed class PlaceholderProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(1024, 1024, null)]
    [InlineData(2048, 2048, "vivid")]
    [InlineData(333, 77, "natural")]
    public async Task GenerateImage_AnySizeUpTo2048_DecodablePng(int width, int height, string? style)
    {
        var provider = TestProviders.Placeholder();

        var result = await provider.GenerateImageAsync(null, TestProviders.Image("a mountain lake", width, height, 2, style), Ct);

        Assert.True(result.Succeeded);
        Assert.Equal(2, result.Value!.Images.Count);
        Assert.All(result.Value.Images, image => Assert.Equal((width, height), ImageInspector.GetSize(image.Data.Span)));
    }

    [Fact]
    public async Task CompleteChat_FixedHonestReply()
    {
        var provider = TestProviders.Placeholder();

        var output = (await provider.CompleteChatAsync(null, TestProviders.Chat("anything [fail:auth]"), Ct)).Value!;

        Assert.Equal(PlaceholderProvider.Reply, output.Content);
        Assert.StartsWith("[placeholder]", output.Content, StringComparison.Ordinal);
        Assert.Equal("stop", output.FinishReason);
        Assert.True(output.CompletionTokens > 0);
    }

    [Fact]
    public async Task CompleteChat_JsonRequested_ValidJson()
    {
        var provider = TestProviders.Placeholder();

        var withFields = (await provider.CompleteChatAsync(null, TestProviders.Chat("Card for 'x' as JSON with fields front, back"), Ct)).Value!;
        var plain = (await provider.CompleteChatAsync(null, TestProviders.Chat("hi", json: true), Ct)).Value!;

        using var fields = JsonDocument.Parse(withFields.Content);
        Assert.Equal(["front", "back"], fields.RootElement.EnumerateObject().Select(p => p.Name));
        using var reply = JsonDocument.Parse(plain.Content);
        Assert.Equal(PlaceholderProvider.Reply, reply.RootElement.GetProperty("reply").GetString());
    }

    [Fact]
    public async Task StreamChat_TextThenFinish()
    {
        var provider = TestProviders.Placeholder();

        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("hi"), Ct));

        Assert.Equal(2, events.Count);
        Assert.Equal(PlaceholderProvider.Reply, events[0].Delta);
        Assert.Equal("stop", events[1].FinishReason);
    }

    [Theory]
    [InlineData(AudioFormat.Wav)]
    [InlineData(AudioFormat.Pcm)]
    [InlineData(AudioFormat.Mp3)]
    [InlineData(AudioFormat.Opus)]
    [InlineData(AudioFormat.Flac)]
    public async Task SynthesizeSpeech_EveryAvailableFormat_Succeeds(AudioFormat format)
    {
        var provider = TestProviders.Placeholder();
        var request = TestProviders.Speech("anything", format);
        var reason = provider.CheckCapable(Modality.Speech, "placeholder", request);

        var result = await provider.SynthesizeSpeechAsync(null, request, Ct);

        Assert.Equal(AudioEncoder.Default.WhyUnavailable(format), reason);
        if (reason is not null)
        {
            Assert.Equal(ErrorClass.InvalidRequest, result.Failure?.Class);
            return;
        }

        Assert.True(result.Succeeded);
        Assert.True(result.Value!.Duration > TimeSpan.Zero);
        Assert.True(AudioInspector.HasSignature(format, result.Value.Audio.Span));
        if (AudioInspector.GetDuration(format, result.Value.Audio.Span) is { } measured)
        {
            Assert.Equal(result.Value.Duration.TotalMilliseconds, measured.TotalMilliseconds, 1);
        }
    }

    [Fact]
    public async Task SynthesizeSpeech_WithoutEspeak_OneSecondOfSilence()
    {
        var provider = TestProviders.Placeholder(speech: TestProviders.ToneSpeech());

        var output = (await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("x", AudioFormat.Pcm), Ct)).Value!;

        Assert.Equal(48_000, output.Audio.Length);
        Assert.All(output.Audio.ToArray(), b => Assert.Equal(0, b));
    }

    [Fact]
    public void CheckCapable_RejectsOnlyWhatItCannotDo()
    {
        var provider = TestProviders.Placeholder(encoder: TestProviders.BareEncoder());

        Assert.Null(provider.CheckCapable(Modality.Image, null, TestProviders.Image("x", 2048, 2048)));
        Assert.Null(provider.CheckCapable(Modality.Text, null, TestProviders.Chat("x")));
        Assert.Contains("up to 2048x2048", provider.CheckCapable(Modality.Image, null, TestProviders.Image("x", 4096, 1024)), StringComparison.Ordinal);
        Assert.Contains("'opusenc'", provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Opus)), StringComparison.Ordinal);
        Assert.Contains("model 'dall-e-3'", provider.CheckCapable(Modality.Image, "dall-e-3", TestProviders.Image("x")), StringComparison.Ordinal);
        Assert.Equal(["placeholder"], provider.ModelsFor(Modality.Speech));
        Assert.True(provider.Readiness.IsReady);
    }

    [Fact]
    public void Factory_Validate_EverySettingIsUnknown()
    {
        var factory = new PlaceholderProviderFactory();
        var config = TestProviders.Config("placeholder", "placeholder", new() { ["latency"] = "1s", ["faults:auth"] = "0.1" });

        var problems = factory.Validate(config, "providers.placeholder").ToList();

        Assert.Equal(["providers.placeholder.faults.auth", "providers.placeholder.latency"], problems.Select(p => p.Path));
        Assert.All(problems, p => Assert.Contains("unknown setting", p.Message, StringComparison.Ordinal));
        Assert.Empty(factory.Validate(TestProviders.Config("placeholder", "placeholder"), "providers.placeholder"));
    }

    [Fact]
    public void Factory_Create_MakesAPlaceholder()
    {
        var provider = new PlaceholderProviderFactory().Create(TestProviders.Config("last", "placeholder"), new EmptyServices());

        Assert.Equal(("last", "placeholder"), (provider.Name, provider.Type));
    }
}
