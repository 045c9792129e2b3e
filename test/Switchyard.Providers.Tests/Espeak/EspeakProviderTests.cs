using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Espeak;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Tests.Espeak;

public sealed class EspeakProviderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly ProviderConfig Config = new() { Name = "espeak", Type = EspeakProviderFactory.TypeName };

    private static string? Installed => ProgramLocator.Find("espeak-ng");

    private static IGenerationProvider Create(Func<string, string?> findProgram) =>
        new EspeakProviderFactory(findProgram).Create(Config, new EmptyServices());

    [Fact]
    public async Task Missing_MisconfiguredSayingHowToInstall_AndCallsFailMisconfigured()
    {
        var provider = Create(_ => null);

        Assert.False(provider.Readiness.IsReady);
        Assert.Equal("espeak-ng is not installed: apt-get install espeak-ng (it was not found on PATH)", provider.Readiness.Problem);
        var result = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("hello", AudioFormat.Wav), Ct);
        Assert.Equal(ErrorClass.Misconfigured, result.Failure!.Class);
        Assert.Contains("apt-get install espeak-ng", result.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckCapable_NamesMissingEncoderAndOtherModalities()
    {
        var provider = Create(name => name == "espeak-ng" ? "/usr/bin/espeak-ng" : null);

        Assert.Null(provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Wav)));
        Assert.Null(provider.CheckCapable(Modality.Speech, "espeak-ng", TestProviders.Speech("x", AudioFormat.Pcm)));
        Assert.Equal("mp3 output needs the 'lame' program (apt-get install lame); available here: wav, pcm", provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Mp3)));
        Assert.Contains("aac output is not supported", provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", AudioFormat.Aac)), StringComparison.Ordinal);
        Assert.Contains("speech only", provider.CheckCapable(Modality.Image, null, TestProviders.Image("x")), StringComparison.Ordinal);
        Assert.Contains("does not serve", provider.CheckCapable(Modality.Speech, "tts-1", TestProviders.Speech("x", AudioFormat.Wav)), StringComparison.Ordinal);
        Assert.Contains("at most", provider.CheckCapable(Modality.Speech, null, TestProviders.Speech(new string('a', 5000), AudioFormat.Wav)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Installed_SpeaksWavWithMeasuredDuration()
    {
        var provider = Create(ProgramLocator.Find);
        if (NotInstalledAsReported(provider))
        {
            return;
        }

        var request = TestProviders.Speech("Hello from the espeak provider.", AudioFormat.Wav);

        var result = await provider.SynthesizeSpeechAsync(null, request, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.True(provider.Readiness.IsReady);
        Assert.True(AudioInspector.GetWavDuration(result.Value!.Audio.Span) > TimeSpan.FromSeconds(0.5));
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(request, result.Value));
    }

    [Theory]
    [InlineData(AudioFormat.Pcm)]
    [InlineData(AudioFormat.Mp3)]
    [InlineData(AudioFormat.Opus)]
    [InlineData(AudioFormat.Flac)]
    public async Task Installed_EncodesEachAvailableFormat(AudioFormat format)
    {
        var provider = Create(ProgramLocator.Find);
        if (NotInstalledAsReported(provider))
        {
            return;
        }

        if (AudioEncoder.Default.WhyUnavailable(format) is { } missing)
        {
            // Without the encoder the provider must say so, not fail at call time.
            Assert.Equal(missing, provider.CheckCapable(Modality.Speech, null, TestProviders.Speech("x", format)));
            return;
        }

        var request = TestProviders.Speech("Testing one two three.", format);

        var result = await provider.SynthesizeSpeechAsync(null, request, Ct);

        Assert.True(result.Succeeded, result.Failure?.Message);
        Assert.Null(new OutputValidator(ProviderCatalog.MediaInspector).Check(request, result.Value!));
    }

    [Fact]
    public async Task Installed_VoicesDiffer()
    {
        var provider = Create(ProgramLocator.Find);
        if (NotInstalledAsReported(provider))
        {
            return;
        }


        var alloy = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Same words.", AudioFormat.Wav), Ct);
        var onyx = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("Same words.", AudioFormat.Wav) with { Voice = "onyx" }, Ct);

        Assert.False(alloy.Value!.Audio.Span.SequenceEqual(onyx.Value!.Audio.Span));
    }

    /// <summary>On a machine without espeak-ng the real provider must report exactly that (scripts/test.sh installs it, so CI takes the other branch).</summary>
    private static bool NotInstalledAsReported(IGenerationProvider provider)
    {
        if (Installed is not null)
        {
            return false;
        }

        Assert.False(provider.Readiness.IsReady);
        Assert.Contains("apt-get install espeak-ng", provider.Readiness.Problem, StringComparison.Ordinal);
        return true;
    }

    [Fact]
    public async Task BrokenProgram_Unavailable()
    {
        var provider = Create(name => name == "espeak-ng" ? "/bin/false" : null);

        var result = await provider.SynthesizeSpeechAsync(null, TestProviders.Speech("hello", AudioFormat.Wav), Ct);

        Assert.Equal(ErrorClass.Unavailable, result.Failure!.Class);
        Assert.Equal("espeak_failed", result.Failure.Code);
    }

    [Fact]
    public void Validate_SettingsAndOtherModalities_Rejected()
    {
        var problems = new EspeakProviderFactory().Validate(
            Config with { Settings = new Dictionary<string, string> { ["voice"] = "en" }, Models = new Dictionary<Modality, IReadOnlyList<string>> { [Modality.Image] = ["x"] } },
            "providers.espeak").Select(p => p.Path).ToList();

        Assert.Equal(["providers.espeak.voice", "providers.espeak.models.image"], problems);
    }
}
