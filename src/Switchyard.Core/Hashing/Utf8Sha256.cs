using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Hashing;

/// <summary>SHA-256 of a string's UTF-8 bytes, encoded on the stack (pooled when long): it runs on every request.</summary>
internal static class Utf8Sha256
{
    private const int StackBytes = 1024;

    /// <summary>Writes the 32-byte hash of <paramref name="text"/> into <paramref name="destination"/>.</summary>
    public static void Hash(string text, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        var most = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (most <= StackBytes)
        {
            Span<byte> bytes = stackalloc byte[StackBytes];
            SHA256.HashData(bytes[..Encoding.UTF8.GetBytes(text, bytes)], destination);
            return;
        }

        var rented = ArrayPool<byte>.Shared.Rent(most);
        SHA256.HashData(rented.AsSpan(0, Encoding.UTF8.GetBytes(text, rented)), destination);
        ArrayPool<byte>.Shared.Return(rented);
    }
}
