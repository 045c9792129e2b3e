namespace Switchyard.Generation;

/// <summary>Decodes just enough of generated media to prove it is real.</summary>
public interface IMediaInspector
{
    /// <summary>The image's size, or null when the bytes are not a decodable image.</summary>
    (int Width, int Height)? ProbeImage(ReadOnlyMemory<byte> data);

    /// <summary>The image's size and sniffed media type, or null when the bytes are not a decodable image.</summary>
    (int Width, int Height, string ContentType)? InspectImage(ReadOnlyMemory<byte> data) =>
        ProbeImage(data) is { } size ? (size.Width, size.Height, "application/octet-stream") : null;

    /// <summary>Null when the bytes are not valid audio of <paramref name="format"/>; otherwise what could be measured.</summary>
    AudioProbe? ProbeAudio(ReadOnlyMemory<byte> data, AudioFormat format);
}

/// <summary>What inspecting audio found.</summary>
/// <param name="Duration">The measured duration, or null for formats whose duration is not measured (the provider's figure is used).</param>
public readonly record struct AudioProbe(TimeSpan? Duration);
