using System.Security.Cryptography;
using System.Text;
using Switchyard.Keys;

namespace Switchyard.Webhooks;

/// <summary>
/// Where deliveries' signing secrets come from, without storing one in plain text. A delivery keeps a
/// secret reference (<see cref="WebhookDelivery.SecretRef"/>) in one of three forms:
/// <list type="bullet">
/// <item><c>key:KEY_ID</c>: the owner key's webhook secret, derived, never stored:
/// <c>whsec_</c> + base64(HMAC-SHA256(server secret, KEY_ID + "\n" + generation)); the generation moves on
/// each rotation, and during a rotation's overlap the previous generation signs as well.</item>
/// <item><c>enc:v1:…</c>: an explicit secret (a job's <c>webhook.secret</c>), encrypted with AES-256-GCM under a
/// key derived (HKDF-SHA256) from a server secret, bound to the delivery id, so it survives restarts for retries.</item>
/// <item><c>config:NAME</c>: a secret the config holds (<c>config:alerts</c> is <c>alerts.webhook.secret</c>), looked up at every try.</item>
/// </list>
/// Both server secrets are random bytes kept through <see cref="IKeyStore.GetOrCreateServerSecretAsync"/>.
/// </summary>
public sealed class WebhookSecrets
{
    /// <summary>The server secret the keys' webhook secrets are derived from.</summary>
    public const string KeySecretsName = "webhook_key_secrets";

    /// <summary>The server secret the explicit secrets' encryption key is derived from.</summary>
    public const string EncryptionName = "webhook_secret_encryption";

    /// <summary>The reference of <c>alerts.webhook.secret</c>.</summary>
    public const string AlertsReference = "config:alerts";

    private const string KeyPrefix = "key:";
    private const string EncryptedPrefix = "enc:v1:";
    private const string ConfigPrefix = "config:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly byte[] EncryptionInfo = Encoding.UTF8.GetBytes("switchyard webhook secret encryption v1");

    private readonly IKeyStore _keys;
    private readonly IWebhookKeySecretStore _generations;
    private readonly Func<string, string?> _configSecrets;
    private readonly TimeProvider _time;
    private byte[]? _keySecretsRoot;
    private byte[]? _encryptionKey;

    /// <summary>Creates the resolver.</summary>
    /// <param name="keys">Where the server secrets are kept.</param>
    /// <param name="generations">The keys' rotation state.</param>
    /// <param name="configSecrets">The value of a config secret by name (<c>alerts</c>), or null when it is not set.</param>
    /// <param name="time">The clock deciding whether a rotation overlap still lasts.</param>
    public WebhookSecrets(IKeyStore keys, IWebhookKeySecretStore generations, Func<string, string?> configSecrets, TimeProvider time)
    {
        _keys = keys;
        _generations = generations;
        _configSecrets = configSecrets;
        _time = time;
    }

    /// <summary>The reference to a key's webhook secret.</summary>
    public static string KeyReference(string keyId) => KeyPrefix + keyId;

    /// <summary>The reference to a config secret.</summary>
    public static string ConfigReference(string name) => ConfigPrefix + name;

    /// <summary>Whether <paramref name="reference"/> is <c>config:NAME</c>.</summary>
    public static bool IsConfigReference(string reference) => reference.StartsWith(ConfigPrefix, StringComparison.Ordinal) && reference.Length > ConfigPrefix.Length;

    /// <summary>How a reference signs, for people: <c>key</c>, <c>explicit</c> or <c>config</c> (never the secret).</summary>
    public static string Describe(string reference) =>
        reference.StartsWith(KeyPrefix, StringComparison.Ordinal) ? "key"
        : reference.StartsWith(EncryptedPrefix, StringComparison.Ordinal) ? "explicit"
        : "config";

    /// <summary>Encrypts an explicit <c>whsec_</c> secret for the delivery <paramref name="deliveryId"/>; only that delivery's reference decrypts it.</summary>
    public async ValueTask<string> ProtectAsync(string secret, string deliveryId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(secret);
        var key = await EncryptionKeyAsync(cancellationToken).ConfigureAwait(false);
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedBytes = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedBytes.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(key, TagSize))
        {
            aes.Encrypt(nonce, plain, sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), Encoding.UTF8.GetBytes(deliveryId));
        }

        CryptographicOperations.ZeroMemory(plain);
        return EncryptedPrefix + Convert.ToBase64String(sealedBytes);
    }

    /// <summary>The secrets to sign a try of <paramref name="delivery"/> with now, or why there are none.</summary>
    public async ValueTask<SigningSecrets> ResolveAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var reference = delivery.SecretRef;
        if (reference.StartsWith(KeyPrefix, StringComparison.Ordinal))
        {
            var keyId = reference[KeyPrefix.Length..];
            var state = await _generations.GetKeySecretStateAsync(keyId, cancellationToken).ConfigureAwait(false);
            var secrets = new List<string> { await KeySecretAsync(keyId, state.Generation, cancellationToken).ConfigureAwait(false) };
            if (state.PreviousGeneration is { } previous && state.PreviousUntil is { } until && _time.GetUtcNow() < until)
            {
                secrets.Add(await KeySecretAsync(keyId, previous, cancellationToken).ConfigureAwait(false));
            }

            return new SigningSecrets { Secrets = secrets };
        }

        if (reference.StartsWith(EncryptedPrefix, StringComparison.Ordinal))
        {
            return await DecryptAsync(reference[EncryptedPrefix.Length..], delivery.Id, cancellationToken).ConfigureAwait(false) is { } secret
                ? new SigningSecrets { Secrets = [secret] }
                : new SigningSecrets { Problem = "the delivery's encrypted secret could not be decrypted (was the server secret replaced?); it cannot be signed" };
        }

        if (IsConfigReference(reference))
        {
            var name = reference[ConfigPrefix.Length..];
            return _configSecrets(name) is { Length: > 0 } value && StandardWebhook.IsValidSecret(value)
                ? new SigningSecrets { Secrets = [value] }
                : new SigningSecrets { Problem = $"the {name} webhook secret is not set in the config (or not whsec_ + base64); set it and restart to deliver", Retryable = true };
        }

        return new SigningSecrets { Problem = "the delivery's secret reference is not one this build knows" };
    }

    /// <summary>The current webhook secret of a key (what <c>keys create</c> and <c>keys rotate-webhook-secret</c> print).</summary>
    public async ValueTask<string> CurrentKeySecretAsync(string keyId, CancellationToken cancellationToken)
    {
        var state = await _generations.GetKeySecretStateAsync(keyId, cancellationToken).ConfigureAwait(false);
        return await KeySecretAsync(keyId, state.Generation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rotates a key's webhook secret; the old one keeps signing (beside the new) for <paramref name="overlap"/>. Returns the new secret.</summary>
    public async ValueTask<string> RotateKeySecretAsync(string keyId, TimeSpan overlap, CancellationToken cancellationToken)
    {
        var state = await _generations.RotateKeySecretAsync(keyId, _time.GetUtcNow(), overlap, cancellationToken).ConfigureAwait(false);
        return await KeySecretAsync(keyId, state.Generation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A key's webhook secret of a given generation.</summary>
    public async ValueTask<string> KeySecretAsync(string keyId, int generation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        var root = _keySecretsRoot ??= await _keys.GetOrCreateServerSecretAsync(KeySecretsName, static () => RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false);

        // The newline keeps (key_a, 12) and (key_a1, 2) apart.
        var mac = HMACSHA256.HashData(root, Encoding.UTF8.GetBytes(FormattableString.Invariant($"{keyId}\n{generation}")));
        return StandardWebhook.SecretPrefix + Convert.ToBase64String(mac);
    }

    private async ValueTask<string?> DecryptAsync(string encoded, string deliveryId, CancellationToken cancellationToken)
    {
        var key = await EncryptionKeyAsync(cancellationToken).ConfigureAwait(false);
        byte[] sealedBytes;
        try
        {
            sealedBytes = Convert.FromBase64String(encoded);
        }
        catch (FormatException)
        {
            return null;
        }

        if (sealedBytes.Length <= NonceSize + TagSize)
        {
            return null;
        }

        var plain = new byte[sealedBytes.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(sealedBytes.AsSpan(0, NonceSize), sealedBytes.AsSpan(NonceSize + TagSize), sealedBytes.AsSpan(NonceSize, TagSize), plain, Encoding.UTF8.GetBytes(deliveryId));
            return Encoding.UTF8.GetString(plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    private async ValueTask<byte[]> EncryptionKeyAsync(CancellationToken cancellationToken)
    {
        if (_encryptionKey is { } cached)
        {
            return cached;
        }

        var root = await _keys.GetOrCreateServerSecretAsync(EncryptionName, static () => RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false);
        return _encryptionKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, root, 32, salt: [], info: EncryptionInfo);
    }
}
