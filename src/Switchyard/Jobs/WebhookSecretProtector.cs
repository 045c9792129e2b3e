using System.Security.Cryptography;
using Switchyard.Keys;

namespace Switchyard.Jobs;

/// <summary>
/// Keeps a job's <c>webhook.secret</c> encrypted at rest (AES-GCM under a random server key stored in the database),
/// so the jobs table never holds a signing secret in plain text; it is decrypted only to hand it to the outbox.
/// </summary>
internal sealed class WebhookSecretProtector
{
    private const string KeyName = "jobs.webhook_secret_key";
    private const string Prefix = "v1:";
    private readonly IKeyStore _keys;
    private byte[]? _key;

    public WebhookSecretProtector(IKeyStore keys)
    {
        _keys = keys;
    }

    public async ValueTask<string> ProtectAsync(string secret, CancellationToken cancellationToken)
    {
        var key = await KeyAsync(cancellationToken);
        var plain = System.Text.Encoding.UTF8.GetBytes(secret);
        var nonce = RandomNumberGenerator.GetBytes(12);
        var cipher = new byte[plain.Length];
        var tag = new byte[16];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }

        return Prefix + Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    public async ValueTask<string> UnprotectAsync(string protectedSecret, CancellationToken cancellationToken)
    {
        if (!protectedSecret.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw new FormatException("A stored webhook secret is not in the protected form.");
        }

        var key = await KeyAsync(cancellationToken);
        var data = Convert.FromBase64String(protectedSecret[Prefix.Length..]);
        var plain = new byte[data.Length - 28];
        using (var aes = new AesGcm(key, 16))
        {
            aes.Decrypt(data.AsSpan(0, 12), data.AsSpan(28), data.AsSpan(12, 16), plain);
        }

        return System.Text.Encoding.UTF8.GetString(plain);
    }

    private async ValueTask<byte[]> KeyAsync(CancellationToken cancellationToken) =>
        _key ??= await _keys.GetOrCreateServerSecretAsync(KeyName, static () => RandomNumberGenerator.GetBytes(32), cancellationToken);
}
