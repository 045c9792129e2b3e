namespace Switchyard.Webhooks;

/// <summary>The rotation state of keys' webhook secrets (their generations, never the secrets).</summary>
public interface IWebhookKeySecretStore
{
    /// <summary>The key's state; generation 0 without a previous one when it was never rotated.</summary>
    ValueTask<WebhookKeySecretState> GetKeySecretStateAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>
    /// Moves the key to its next generation; the one that was current is still signed with until <paramref name="now"/> +
    /// <paramref name="overlap"/> (a generation still in an earlier overlap is dropped). Atomic, so concurrent rotations each get a new generation.
    /// </summary>
    ValueTask<WebhookKeySecretState> RotateKeySecretAsync(string keyId, DateTimeOffset now, TimeSpan overlap, CancellationToken cancellationToken);
}
