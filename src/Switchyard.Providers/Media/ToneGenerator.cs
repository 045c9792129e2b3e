namespace Switchyard.Providers.Media;

/// <summary>
/// Deterministic stand-in speech: a soft pentatonic melody with one note per letter or digit,
/// so longer text plays longer (0.5 s to 10 s). Used when espeak-ng is not installed.
/// </summary>
internal static class ToneGenerator
{
    public static readonly TimeSpan MinDuration = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(10);

    private static readonly double[] Scale = [261.63, 293.66, 329.63, 392.00, 440.00, 523.25, 587.33, 659.25];

    /// <summary>A melody for <paramref name="text"/>; <paramref name="speed"/> (0.25 to 4) shortens or lengthens the notes.</summary>
    public static PcmAudio Melody(string text, double speed, int sampleRate = PcmAudio.OpenAISampleRate)
    {
        speed = double.IsFinite(speed) ? Math.Clamp(speed, 0.25, 4) : 1;
        var noteSeconds = 0.07 / speed;
        var symbols = text.Where(c => !char.IsControl(c)).ToArray();
        var seconds = Math.Clamp(symbols.Length * noteSeconds, MinDuration.TotalSeconds, MaxDuration.TotalSeconds);
        var total = (int)(seconds * sampleRate);
        var samples = new short[total];
        if (symbols.Length == 0)
        {
            return new PcmAudio(samples, sampleRate);
        }

        var noteLength = Math.Max(1, (int)(noteSeconds * sampleRate));
        for (var start = 0; start < total; start += noteLength)
        {
            var symbol = symbols[(start / noteLength) % symbols.Length];
            if (!char.IsLetterOrDigit(symbol))
            {
                continue; // spaces and punctuation are rests
            }

            var frequency = Scale[symbol % Scale.Length];
            var length = Math.Min(noteLength, total - start);
            for (var i = 0; i < length; i++)
            {
                // A short attack and release keeps notes from clicking.
                var envelope = Math.Min(1.0, Math.Min(i, length - i) / (0.005 * sampleRate));
                var value = Math.Sin(2 * Math.PI * frequency * i / sampleRate) * envelope * 0.3;
                samples[start + i] = (short)(value * short.MaxValue);
            }
        }

        return new PcmAudio(samples, sampleRate);
    }

    /// <summary>Silence of <paramref name="duration"/>.</summary>
    public static PcmAudio Silence(TimeSpan duration, int sampleRate = PcmAudio.OpenAISampleRate) =>
        new(new short[(int)(duration.TotalSeconds * sampleRate)], sampleRate);
}
