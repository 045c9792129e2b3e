using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Webhooks;

/// <summary>
/// Signs and verifies webhooks in the Standard Webhooks scheme (standardwebhooks.com): the
/// <c>webhook-signature</c> header is <c>v1,</c> + base64 of HMAC-SHA256 over
/// <c>"{id}.{timestamp}.{body}"</c>, keyed with the base64 part of a <c>whsec_</c> secret.
/// </summary>
public static class StandardWebhook
{
    /// <summary>The header carrying the message id (the same on every retry).</summary>
    public const string IdHeader = "webhook-id";

    /// <summary>The header carrying the Unix time in seconds the message was signed at.</summary>
    public const string TimestampHeader = "webhook-timestamp";

    /// <summary>The header carrying one or more space-separated signatures.</summary>
    public const string SignatureHeader = "webhook-signature";

    /// <summary>The prefix of a secret.</summary>
    public const string SecretPrefix = "whsec_";

    /// <summary>Whether <paramref name="secret"/> is <c>whsec_</c> followed by base64 of 24 to 64 bytes.</summary>
    public static bool IsValidSecret(string secret) =>
        secret.StartsWith(SecretPrefix, StringComparison.Ordinal) && TryKey(secret, out var key) && key.Length is >= 24 and <= 64;

    /// <summary>Creates a new random secret (<c>whsec_</c> + base64 of 32 bytes).</summary>
    public static string NewSecret() => SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The <c>webhook-signature</c> value for a message: <c>v1,&lt;base64&gt;</c>.</summary>
    /// <exception cref="FormatException">The secret is not <c>whsec_</c> + base64.</exception>
    public static string Sign(string secret, string id, DateTimeOffset timestamp, ReadOnlySpan<byte> body)
    {
        if (!TryKey(secret, out var key))
        {
            throw new FormatException("The webhook secret is not whsec_ followed by base64.");
        }

        return "v1," + Convert.ToBase64String(Mac(key, id, timestamp.ToUnixTimeSeconds(), body));
    }

    /// <summary>
    /// Whether <paramref name="signatureHeader"/> holds a valid <c>v1</c> signature of the message and
    /// <paramref name="timestamp"/> is within <paramref name="tolerance"/> of <paramref name="now"/>.
    /// </summary>
    public static bool Verify(string secret, string id, string timestamp, string signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan tolerance)
    {
        if (!TryKey(secret, out var key) || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return false;
        }

        var at = DateTimeOffset.FromUnixTimeSeconds(seconds);
        if (at < now - tolerance || at > now + tolerance)
        {
            return false;
        }

        var expected = Mac(key, id, seconds, body);
        foreach (var part in signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }

            var given = new byte[32];
            if (Convert.TryFromBase64String(part[3..], given, out var written) && written == expected.Length
                && CryptographicOperations.FixedTimeEquals(given.AsSpan(0, written), expected))
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryKey(string secret, out byte[] key)
    {
        var encoded = secret.StartsWith(SecretPrefix, StringComparison.Ordinal) ? secret[SecretPrefix.Length..] : secret;
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (encoded.Length > 0 && Convert.TryFromBase64String(encoded, buffer, out var written))
        {
            key = buffer[..written];
            return true;
        }

        key = [];
        return false;
    }

    private static byte[] Mac(byte[] key, string id, long seconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{id}.{seconds}."));
        var content = new byte[prefix.Length + body.Length];
        prefix.CopyTo(content, 0);
        body.CopyTo(content.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, content);
    }
}
