using Switchyard.Generation;

namespace Switchyard.Providers.Media;

/// <summary>Checks provider audio: WAV headers and durations, and the signature of each format.</summary>
public static class AudioInspector
{
    /// <summary>
    /// The playing time of a PCM or float WAV file, from its header and the data present;
    /// null when the bytes are not a RIFF WAVE file with a format and a data chunk.
    /// </summary>
    public static TimeSpan? GetWavDuration(ReadOnlySpan<byte> data)
    {
        if (WavFile.FindChunks(data) is not { } found || found.Format.Tag is not (1 or 3))
        {
            return null;
        }

        return TimeSpan.FromSeconds((double)found.Length / found.Format.BytesPerSecond);
    }

    /// <summary>The playing time of raw <c>pcm</c> output (s16le, 24 kHz, mono), or null when its length is odd.</summary>
    public static TimeSpan? GetPcmDuration(ReadOnlySpan<byte> data) =>
        data.Length % 2 == 0 ? TimeSpan.FromSeconds(data.Length / 2.0 / PcmAudio.OpenAISampleRate) : null;

    /// <summary>The playing time for the formats whose length can be read without decoding (wav, pcm); null otherwise or when invalid.</summary>
    public static TimeSpan? GetDuration(AudioFormat format, ReadOnlySpan<byte> data) => format switch
    {
        AudioFormat.Wav => GetWavDuration(data),
        AudioFormat.Pcm => GetPcmDuration(data),
        _ => null,
    };

    /// <summary>
    /// Whether <paramref name="data"/> starts the way <paramref name="format"/> does: an ID3 tag or MPEG frame sync (mp3),
    /// <c>OggS</c> with an <c>OpusHead</c> (opus), ADTS sync (aac), <c>fLaC</c>, a valid WAV header, or whole 16-bit samples (pcm).
    /// Empty data never matches.
    /// </summary>
    public static bool HasSignature(AudioFormat format, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return false;
        }

        return format switch
        {
            AudioFormat.Mp3 => data.StartsWith("ID3"u8) || (data.Length >= 2 && data[0] == 0xFF && (data[1] & 0xE0) == 0xE0),
            AudioFormat.Opus => data.StartsWith("OggS"u8) && data[..Math.Min(data.Length, 64)].IndexOf("OpusHead"u8) >= 0,
            AudioFormat.Aac => data.Length >= 2 && data[0] == 0xFF && (data[1] & 0xF6) == 0xF0,
            AudioFormat.Flac => data.StartsWith("fLaC"u8),
            AudioFormat.Wav => GetWavDuration(data) is not null,
            AudioFormat.Pcm => data.Length % 2 == 0,
            _ => false,
        };
    }
}
