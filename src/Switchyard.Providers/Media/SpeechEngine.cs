namespace Switchyard.Providers.Media;

/// <summary>
/// Speech for the offline providers: espeak-ng when it is on PATH, otherwise <see cref="ToneGenerator"/>.
/// OpenAI voice names map to espeak-ng voice variants and speed to words per minute.
/// </summary>
internal sealed class SpeechEngine
{
    public static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<SpeechEngine> Shared = new(() => new SpeechEngine(ProgramLocator.Find("espeak-ng"), TimeProvider.System));

    private static readonly Dictionary<string, string> Voices = new(StringComparer.OrdinalIgnoreCase)
    {
        ["alloy"] = "en-us+f2",
        ["echo"] = "en-us+m3",
        ["fable"] = "en-gb+m1",
        ["onyx"] = "en-us+m7",
        ["nova"] = "en-us+f3",
        ["shimmer"] = "en-us+f4",
        ["ash"] = "en-us+m2",
        ["coral"] = "en-us+f1",
        ["sage"] = "en-gb+f2",
        ["ballad"] = "en-gb+m4",
        ["verse"] = "en-us+m5",
    };

    private readonly string? _espeak;
    private readonly TimeProvider _timeProvider;

    public SpeechEngine(string? espeakPath, TimeProvider timeProvider)
    {
        _espeak = espeakPath;
        _timeProvider = timeProvider;
    }

    public static SpeechEngine Default => Shared.Value;

    /// <summary>Whether real speech (espeak-ng) is used.</summary>
    public bool HasEspeak => _espeak is not null;

    /// <summary>The espeak-ng voice for an OpenAI voice name; unknown names get plain American English.</summary>
    public static string EspeakVoice(string voice) => Voices.GetValueOrDefault(voice, "en-us");

    /// <summary>espeak-ng's rate for a speed factor: 175 words per minute at 1.0, within espeak-ng's 80 to 450.</summary>
    public static int WordsPerMinute(double speed) =>
        double.IsFinite(speed) ? Math.Clamp((int)Math.Round(175 * speed), 80, 450) : 175;

    /// <summary>
    /// Speaks <paramref name="text"/>. With espeak-ng the audio is at its own rate (22050 Hz); a failing espeak-ng
    /// throws <see cref="AudioEncodingException"/>. Without it, a melody at 24 kHz.
    /// </summary>
    public async ValueTask<PcmAudio> SpeakAsync(string text, string voice, double speed, CancellationToken cancellationToken)
    {
        if (_espeak is null)
        {
            return ToneGenerator.Melody(text, speed);
        }

        // The text goes through stdin, so nothing in it can be read as an option.
        string[] arguments = ["--stdout", "--stdin", "-v", EspeakVoice(voice), "-s", WordsPerMinute(speed).ToString(System.Globalization.CultureInfo.InvariantCulture)];
        var wav = await ExternalProgram.RunAsync(_espeak, arguments, System.Text.Encoding.UTF8.GetBytes(text), ProgramTimeout, _timeProvider, cancellationToken)
            .ConfigureAwait(false);
        return WavFile.Read(wav) ?? throw new AudioEncodingException("espeak-ng did not write a 16-bit PCM WAV");
    }
}
