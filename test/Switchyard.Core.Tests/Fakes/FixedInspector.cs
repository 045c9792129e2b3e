using Switchyard.Generation;

namespace Switchyard.Core.Tests.Fakes;

/// <summary>Treats any non-empty bytes as media of the size it is told, so engine tests need no codec.</summary>
internal sealed class FixedInspector : IMediaInspector
{
    public (int Width, int Height)? Size { get; set; } = (1024, 1024);

    public (int Width, int Height)? ProbeImage(ReadOnlyMemory<byte> data) => data.IsEmpty ? null : Size;

    public AudioProbe? ProbeAudio(ReadOnlyMemory<byte> data, AudioFormat format) => data.IsEmpty ? null : new AudioProbe(TimeSpan.FromSeconds(1));
}
