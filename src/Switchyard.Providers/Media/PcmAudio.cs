namespace Switchyard.Providers.Media;

/// <summary>Mono 16-bit PCM samples at a sample rate: what the generators make and the encoders take.</summary>
internal sealed class PcmAudio
{
    /// <summary>OpenAI's <c>pcm</c> format and the tone generator's rate.</summary>
    public const int OpenAISampleRate = 24_000;

    public PcmAudio(short[] samples, int sampleRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        Samples = samples;
        SampleRate = sampleRate;
    }

    public short[] Samples { get; }

    public int SampleRate { get; }

    public TimeSpan Duration => TimeSpan.FromSeconds((double)Samples.Length / SampleRate);

    /// <summary>The same sound at <paramref name="sampleRate"/>, by linear interpolation.</summary>
    public PcmAudio Resample(int sampleRate)
    {
        if (sampleRate == SampleRate || Samples.Length == 0)
        {
            return sampleRate == SampleRate ? this : new PcmAudio([], sampleRate);
        }

        var length = (int)((long)Samples.Length * sampleRate / SampleRate);
        var result = new short[length];
        var step = (double)SampleRate / sampleRate;
        for (var i = 0; i < length; i++)
        {
            var position = i * step;
            var left = (int)position;
            var right = Math.Min(left + 1, Samples.Length - 1);
            var fraction = position - left;
            result[i] = (short)Math.Round((Samples[left] * (1 - fraction)) + (Samples[right] * fraction));
        }

        return new PcmAudio(result, sampleRate);
    }

    /// <summary>The samples as raw little-endian bytes (s16le).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[Samples.Length * 2];
        for (var i = 0; i < Samples.Length; i++)
        {
            bytes[2 * i] = (byte)Samples[i];
            bytes[(2 * i) + 1] = (byte)(Samples[i] >> 8);
        }

        return bytes;
    }
}
