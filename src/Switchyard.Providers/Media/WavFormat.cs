namespace Switchyard.Providers.Media;

/// <summary>The fields of a WAV <c>fmt </c> chunk that matter here.</summary>
/// <param name="Tag">1 for integer PCM, 3 for IEEE float.</param>
/// <param name="Channels">Channel count.</param>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="Bits">Bits per sample.</param>
internal readonly record struct WavFormat(int Tag, int Channels, int SampleRate, int Bits)
{
    public int BytesPerSecond => SampleRate * Channels * (Bits / 8);
}
