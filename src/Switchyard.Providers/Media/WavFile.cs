using System.Buffers.Binary;

namespace Switchyard.Providers.Media;

/// <summary>Writes and reads RIFF WAVE files of 16-bit PCM.</summary>
internal static class WavFile
{
    public const int HeaderSize = 44;

    /// <summary>A mono 16-bit PCM WAV whose header states the real sizes.</summary>
    public static byte[] Write(PcmAudio audio)
    {
        var dataSize = audio.Samples.Length * 2;
        var bytes = new byte[HeaderSize + dataSize];
        var span = bytes.AsSpan();
        "RIFF"u8.CopyTo(span);
        BinaryPrimitives.WriteInt32LittleEndian(span[4..], 36 + dataSize);
        "WAVE"u8.CopyTo(span[8..]);
        "fmt "u8.CopyTo(span[12..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[16..], 16);
        BinaryPrimitives.WriteInt16LittleEndian(span[20..], 1); // PCM
        BinaryPrimitives.WriteInt16LittleEndian(span[22..], 1); // mono
        BinaryPrimitives.WriteInt32LittleEndian(span[24..], audio.SampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(span[28..], audio.SampleRate * 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[32..], 2);
        BinaryPrimitives.WriteInt16LittleEndian(span[34..], 16);
        "data"u8.CopyTo(span[36..]);
        BinaryPrimitives.WriteInt32LittleEndian(span[40..], dataSize);
        audio.ToBytes().CopyTo(span[HeaderSize..]);
        return bytes;
    }

    /// <summary>
    /// Reads a 16-bit PCM WAV (mono, or the first channel of several) into samples; null when it is not one.
    /// A data size larger than the file (streamed WAVs, e.g. from espeak-ng) is cut to what is there.
    /// </summary>
    public static PcmAudio? Read(ReadOnlySpan<byte> data)
    {
        if (FindChunks(data) is not { } found || found.Format.Bits != 16 || found.Format.Tag != 1)
        {
            return null;
        }

        var frameSize = 2 * found.Format.Channels;
        var body = data.Slice(found.Offset, found.Length);
        var frames = body.Length / frameSize;
        var samples = new short[frames];
        for (var i = 0; i < frames; i++)
        {
            samples[i] = BinaryPrimitives.ReadInt16LittleEndian(body[(i * frameSize)..]);
        }

        return new PcmAudio(samples, found.Format.SampleRate);
    }

    /// <summary>The format chunk and where the data is in a RIFF WAVE file, or null when the header is not one.</summary>
    internal static (WavFormat Format, int Offset, int Length)? FindChunks(ReadOnlySpan<byte> data)
    {
        if (data.Length < 12 || !data[..4].SequenceEqual("RIFF"u8) || !data[8..12].SequenceEqual("WAVE"u8))
        {
            return null;
        }

        WavFormat? format = null;
        var offset = 12;
        while (offset + 8 <= data.Length)
        {
            var id = data.Slice(offset, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(data[(offset + 4)..]);
            var bodyStart = offset + 8;
            var available = data.Length - bodyStart;
            if (id.SequenceEqual("fmt "u8))
            {
                if (size < 16 || available < 16)
                {
                    return null;
                }

                var body = data.Slice(bodyStart, 16);
                var tag = BinaryPrimitives.ReadUInt16LittleEndian(body);
                var channels = BinaryPrimitives.ReadUInt16LittleEndian(body[2..]);
                var rate = BinaryPrimitives.ReadInt32LittleEndian(body[4..]);
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(body[14..]);

                // WAVE_FORMAT_EXTENSIBLE carries its real tag in the sub-format GUID.
                if (tag == 0xFFFE && size >= 40 && available >= 40)
                {
                    tag = BinaryPrimitives.ReadUInt16LittleEndian(data[(bodyStart + 24)..]);
                }

                if (channels == 0 || rate <= 0 || bits == 0 || bits % 8 != 0)
                {
                    return null;
                }

                format = new WavFormat(tag, channels, rate, bits);
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    return null;
                }

                var length = (int)Math.Min(size, (uint)available);
                return (format.Value, bodyStart, length);
            }

            // Chunks are padded to an even size.
            var next = bodyStart + (long)size + (size % 2);
            if (next > data.Length)
            {
                return null;
            }

            offset = (int)next;
        }

        return null;
    }
}
