using Switchyard.Generation;

namespace Switchyard.Providers.Media;

/// <summary>Inspects generated media with SkiaSharp (images) and header parsing (audio).</summary>
internal sealed class MediaInspector : IMediaInspector
{
    public (int Width, int Height)? ProbeImage(ReadOnlyMemory<byte> data) => ImageInspector.GetSize(data.Span);

    public (int Width, int Height, string ContentType)? InspectImage(ReadOnlyMemory<byte> data) =>
        ImageInspector.Inspect(data.Span) is { } found ? (found.Width, found.Height, found.ContentType) : null;

    public AudioProbe? ProbeAudio(ReadOnlyMemory<byte> data, AudioFormat format)
    {
        var span = data.Span;
        if (!AudioInspector.HasSignature(format, span))
        {
            return null;
        }

        // WAV and PCM durations are measured; for compressed formats the signature is checked
        // and the provider's stated duration is used.
        return new AudioProbe(AudioInspector.GetDuration(format, span));
    }
}
