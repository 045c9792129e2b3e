using System.Security.Cryptography;
using Switchyard.Hashing;

namespace Switchyard.Keys;

/// <summary>
/// Makes and checks API keys of the form <c>sy_PREFIX_SECRET</c>. Only the prefix (for lookup)
/// and a SHA-256 hash of the whole key are stored; keys are long random strings, so a fast hash
/// is enough, and hashes are compared in constant time.
/// </summary>
public static class ApiKeys
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private const int PrefixLength = 12;
    private const int SecretLength = 40;

    /// <summary>A new key: the text to show once, and the record to store.</summary>
    public static (string Key, ApiKeyRecord Record) Create(string name, bool isAdmin, DateTimeOffset now)
    {
        var prefix = Random(PrefixLength);
        var key = $"sy_{prefix}_{Random(SecretLength)}";
        var record = new ApiKeyRecord
        {
            Id = "key_" + prefix,
            Name = name,
            Prefix = prefix,
            Hash = Hash(key),
            IsAdmin = isAdmin,
            CreatedAt = now,
        };
        return (key, record);
    }

    /// <summary>The record for an existing key text (used when the admin key comes from <c>SWITCHYARD_ADMIN_KEY</c>).</summary>
    public static ApiKeyRecord? FromExisting(string key, string name, bool isAdmin, DateTimeOffset now) =>
        TryParsePrefix(key) is { } prefix
            ? new ApiKeyRecord { Id = "key_" + prefix, Name = name, Prefix = prefix, Hash = Hash(key), IsAdmin = isAdmin, CreatedAt = now }
            : null;

    /// <summary>The lookup prefix of a presented key, or null when it is not of our form.</summary>
    public static string? TryParsePrefix(string? key)
    {
        if (key is null || key.Length < 3 + PrefixLength + 1 + 16 || !key.StartsWith("sy_", StringComparison.Ordinal) || key[3 + PrefixLength] != '_')
        {
            return null;
        }

        var prefix = key.Substring(3, PrefixLength);
        return prefix.All(c => Alphabet.Contains(c, StringComparison.Ordinal)) ? prefix : null;
    }

    /// <summary>
    /// Whether <paramref name="key"/> opens <paramref name="record"/> at <paramref name="now"/>: the record is not revoked
    /// and the key is its current secret, or the secret a rotation replaced while its overlap lasts.
    /// </summary>
    public static bool Matches(string key, ApiKeyRecord record, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.RevokedAt is not null)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Utf8Sha256.Hash(key, hash);
        var current = CryptographicOperations.FixedTimeEquals(hash, record.Hash);
        var previous = record.PreviousHash is { } old && record.PreviousExpiresAt is { } until && now < until
            && CryptographicOperations.FixedTimeEquals(hash, old);
        return current | previous;
    }

    /// <summary>A new secret for an existing key: the text to show once, its lookup prefix and its hash. The key's id is kept.</summary>
    public static (string Key, string Prefix, byte[] Hash) NewSecret()
    {
        var prefix = Random(PrefixLength);
        var key = $"sy_{prefix}_{Random(SecretLength)}";
        return (key, prefix, Hash(key));
    }

    private static byte[] Hash(string key)
    {
        var hash = new byte[SHA256.HashSizeInBytes];
        Utf8Sha256.Hash(key, hash);
        return hash;
    }

    private static string Random(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
