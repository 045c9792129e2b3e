namespace Switchyard.Providers.Upstream;

/// <summary>Reads the playing time of an MP3 by walking its MPEG audio frame headers (no decoding).</summary>
internal static class Mp3Frames
{
    private static readonly int[] BitratesV1Layer3 = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
    private static readonly int[] BitratesV2Layer3 = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
    private static readonly int[] RatesV1 = [44100, 48000, 32000];

    /// <summary>The duration of the Layer III frames in <paramref name="data"/>, or null when there are none.</summary>
    public static TimeSpan? Duration(ReadOnlySpan<byte> data)
    {
        var position = SkipId3(data);
        var frames = 0;
        double seconds = 0;
        while (position + 4 <= data.Length)
        {
            if (ReadFrame(data[position..]) is not { } frame)
            {
                if (frames > 0)
                {
                    break;
                }

                // Before the first frame, look for the sync word a byte further on.
                position++;
                continue;
            }

            frames++;
            seconds += (double)frame.Samples / frame.SampleRate;
            position += frame.Length;
        }

        return frames == 0 ? null : TimeSpan.FromSeconds(seconds);
    }

    private static int SkipId3(ReadOnlySpan<byte> data)
    {
        if (data.Length < 10 || !data.StartsWith("ID3"u8))
        {
            return 0;
        }

        // The size is "syncsafe": four bytes of seven bits each; a footer adds ten more bytes.
        var size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9];
        var footer = (data[5] & 0x10) != 0 ? 10 : 0;
        return Math.Min(data.Length, 10 + size + footer);
    }

    private static (int Length, int Samples, int SampleRate)? ReadFrame(ReadOnlySpan<byte> header)
    {
        if (header[0] != 0xFF || (header[1] & 0xE0) != 0xE0)
        {
            return null;
        }

        var version = (header[1] >> 3) & 3; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
        var layer = (header[1] >> 1) & 3;   // 1 = Layer III
        var bitrateIndex = header[2] >> 4;
        var rateIndex = (header[2] >> 2) & 3;
        var padding = (header[2] >> 1) & 1;
        if (version == 1 || layer != 1 || bitrateIndex is 0 or 15 || rateIndex == 3)
        {
            return null;
        }

        var mpeg1 = version == 3;
        var bitrate = (mpeg1 ? BitratesV1Layer3 : BitratesV2Layer3)[bitrateIndex] * 1000;
        var sampleRate = RatesV1[rateIndex] / (version switch { 3 => 1, 2 => 2, _ => 4 });
        var length = ((mpeg1 ? 144 : 72) * bitrate / sampleRate) + padding;
        return length < 4 ? null : (length, mpeg1 ? 1152 : 576, sampleRate);
    }
}
