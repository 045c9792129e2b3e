namespace Switchyard.Generation;

/// <summary>The audio formats of OpenAI's speech endpoint.</summary>
public enum AudioFormat
{
    /// <summary>MPEG-1 Layer III.</summary>
    Mp3,

    /// <summary>Opus in an Ogg container.</summary>
    Opus,

    /// <summary>AAC in ADTS.</summary>
    Aac,

    /// <summary>FLAC.</summary>
    Flac,

    /// <summary>RIFF WAVE, 16-bit PCM.</summary>
    Wav,

    /// <summary>Raw 16-bit little-endian PCM, 24 kHz mono.</summary>
    Pcm,
}

/// <summary>Names and media types of <see cref="AudioFormat"/>.</summary>
public static class AudioFormats
{
    /// <summary>The wire name, e.g. <c>mp3</c>.</summary>
    public static string ToWire(this AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => "mp3",
        AudioFormat.Opus => "opus",
        AudioFormat.Aac => "aac",
        AudioFormat.Flac => "flac",
        AudioFormat.Wav => "wav",
        AudioFormat.Pcm => "pcm",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>The media type served for the format.</summary>
    public static string ContentType(this AudioFormat format) => format switch
    {
        AudioFormat.Mp3 => "audio/mpeg",
        AudioFormat.Opus => "audio/ogg",
        AudioFormat.Aac => "audio/aac",
        AudioFormat.Flac => "audio/flac",
        AudioFormat.Wav => "audio/wav",
        AudioFormat.Pcm => "audio/pcm",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };

    /// <summary>Parses a wire name.</summary>
    public static bool TryParse(string? text, out AudioFormat format)
    {
        foreach (var candidate in Enum.GetValues<AudioFormat>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }
}
