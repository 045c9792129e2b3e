namespace Switchyard.Generation;

/// <summary>Decodes just enough of generated media to prove it is real.</summary>
public interface IMediaInspector
{
    /// <summary>The image's size, or null when the bytes are not a decodable image.</summary>
    (int Width, int Height)? ProbeImage(ReadOnlyMemory<byte> data);

    /// <summary>The audio's duration, or null when the bytes are not valid audio of <paramref name="format"/>.</summary>
    TimeSpan? ProbeAudio(ReadOnlyMemory<byte> data, AudioFormat format);
}
