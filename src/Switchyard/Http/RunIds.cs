using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Switchyard.Http;

/// <summary>Run ids: <c>run_</c> and a time-ordered UUIDv7 (RFC 9562), so ids sort by start time.</summary>
/// <remarks>
/// The random bits come from the cryptographic generator, 64 ids' worth at a time per thread: on Linux
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/> reads <c>/dev/urandom</c> on every call, one system call per
/// request (bench/README.md).
/// </remarks>
internal static class RunIds
{
    private const string Prefix = "run_";
    private const int UuidBytes = 16;
    private const int BlockBytes = 64 * UuidBytes;

    [ThreadStatic]
    private static byte[]? t_random;

    // Unused bytes at the end of the block; zero on a thread's first id.
    [ThreadStatic]
    private static int t_left;

    public static string New(TimeProvider time) => New(time.GetUtcNow());

    /// <summary>A run id whose UUIDv7 carries <paramref name="now"/> in milliseconds since the Unix epoch.</summary>
    public static string New(DateTimeOffset now)
    {
        Span<byte> uuid = stackalloc byte[UuidBytes];
        NextRandom(uuid);

        // 48-bit big-endian timestamp, then version 7 in the high nibble of byte 6 and variant 10 in byte 8.
        Span<byte> milliseconds = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(milliseconds, now.ToUnixTimeMilliseconds());
        milliseconds[2..].CopyTo(uuid);
        uuid[6] = (byte)((uuid[6] & 0x0F) | 0x70);
        uuid[8] = (byte)((uuid[8] & 0x3F) | 0x80);

        return string.Create(Prefix.Length + 32, new Guid(uuid, bigEndian: true), static (chars, guid) =>
        {
            Prefix.CopyTo(chars);
            guid.TryFormat(chars[Prefix.Length..], out _, "N");
        });
    }

    private static void NextRandom(Span<byte> destination)
    {
        var block = t_random ??= new byte[BlockBytes];
        if (t_left < destination.Length)
        {
            RandomNumberGenerator.Fill(block);
            t_left = block.Length;
        }

        block.AsSpan(block.Length - t_left, destination.Length).CopyTo(destination);
        t_left -= destination.Length;
    }
}
