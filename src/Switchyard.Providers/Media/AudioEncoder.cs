using Switchyard.Generation;

namespace Switchyard.Providers.Media;

/// <summary>
/// Produces each speech format from PCM: wav and pcm in-process, mp3 / opus / flac through the <c>lame</c>,
/// <c>opusenc</c> and <c>flac</c> programs when they are on PATH. aac is never available.
/// </summary>
public sealed class AudioEncoder
{
    /// <summary>How long one external encoder run may take.</summary>
    public static readonly TimeSpan ProgramTimeout = TimeSpan.FromSeconds(30);

    private static readonly Lazy<AudioEncoder> Shared = new(() => new AudioEncoder(ProgramLocator.Find, TimeProvider.System));

    private readonly Dictionary<AudioFormat, string> _programs = [];
    private readonly TimeProvider _timeProvider;

    internal AudioEncoder(Func<string, string?> findProgram, TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
        foreach (var format in new[] { AudioFormat.Mp3, AudioFormat.Opus, AudioFormat.Flac })
        {
            if (findProgram(ProgramFor(format).Name) is { } path)
            {
                _programs[format] = path;
            }
        }

        AvailableFormats = [.. Enum.GetValues<AudioFormat>().Where(IsAvailable)];
    }

    /// <summary>The encoder for this machine; PATH is probed once, on first use.</summary>
    public static AudioEncoder Default => Shared.Value;

    /// <summary>The formats this machine can produce, always including wav and pcm.</summary>
    public IReadOnlyList<AudioFormat> AvailableFormats { get; }

    /// <summary>Whether <paramref name="format"/> can be produced here.</summary>
    public bool IsAvailable(AudioFormat format) => format switch
    {
        AudioFormat.Wav or AudioFormat.Pcm => true,
        AudioFormat.Aac => false,
        _ => _programs.ContainsKey(format),
    };

    /// <summary>
    /// Null when <paramref name="format"/> can be produced here, otherwise why not and how to fix it, e.g.
    /// "mp3 output needs the 'lame' program (apt-get install lame); available here: wav, pcm".
    /// </summary>
    public string? WhyUnavailable(AudioFormat format)
    {
        if (IsAvailable(format))
        {
            return null;
        }

        var available = string.Join(", ", AvailableFormats.Select(f => f.ToWire()));
        if (format == AudioFormat.Aac)
        {
            return $"aac output is not supported by the local encoders; available here: {available}";
        }

        var (program, package) = ProgramFor(format);
        return $"{format.ToWire()} output needs the '{program}' program (apt-get install {package}); available here: {available}";
    }

    /// <summary>
    /// Converts a 16-bit PCM WAV file to <paramref name="format"/>. pcm output is resampled to 24 kHz mono.
    /// Throws <see cref="AudioEncodingException"/> when the input is not such a WAV, the format is unavailable or the encoder fails.
    /// </summary>
    public async ValueTask<byte[]> EncodeWavAsync(ReadOnlyMemory<byte> wav, AudioFormat format, CancellationToken cancellationToken)
    {
        var audio = WavFile.Read(wav.Span) ?? throw new AudioEncodingException("the input is not a 16-bit PCM WAV file");
        return await EncodeAsync(audio, format, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encodes <paramref name="audio"/> as <paramref name="format"/>.</summary>
    internal async ValueTask<byte[]> EncodeAsync(PcmAudio audio, AudioFormat format, CancellationToken cancellationToken)
    {
        switch (format)
        {
            case AudioFormat.Wav:
                return WavFile.Write(audio);
            case AudioFormat.Pcm:
                return audio.Resample(PcmAudio.OpenAISampleRate).ToBytes();
        }

        if (!_programs.TryGetValue(format, out var path))
        {
            throw new AudioEncodingException(WhyUnavailable(format)!);
        }

        // Every encoder reads a WAV on stdin ("-") and writes to stdout.
        string[] arguments = format switch
        {
            AudioFormat.Mp3 => ["--quiet", "-", "-"],
            AudioFormat.Opus => ["--quiet", "-", "-"],
            _ => ["--silent", "--stdout", "-"],
        };
        return await ExternalProgram.RunAsync(path, arguments, WavFile.Write(audio), ProgramTimeout, _timeProvider, cancellationToken)
            .ConfigureAwait(false);
    }

    private static (string Name, string Package) ProgramFor(AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => ("lame", "lame"),
        AudioFormat.Opus => ("opusenc", "opus-tools"),
        AudioFormat.Flac => ("flac", "flac"),
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}
