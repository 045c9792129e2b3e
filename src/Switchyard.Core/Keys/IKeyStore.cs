namespace Switchyard.Keys;

/// <summary>Where API keys (as hashes) and the server's own signing secrets are kept.</summary>
public interface IKeyStore
{
    /// <summary>The key whose current secret, or the secret a rotation replaced, has this prefix; or null. Revoked keys are returned too.</summary>
    ValueTask<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Stores a new key.</summary>
    ValueTask AddAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>All keys, newest first.</summary>
    ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks a key revoked; false when there is no such active key.</summary>
    ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Replaces a key's limits; false when there is no such key.</summary>
    ValueTask<bool> UpdateLimitsAsync(string id, KeyLimits limits, CancellationToken cancellationToken);

    /// <summary>
    /// Gives an active key a new secret (<paramref name="prefix"/>, <paramref name="hash"/>); its current secret becomes the
    /// previous one and works until <paramref name="previousExpiresAt"/>. False when there is no such active key.
    /// </summary>
    ValueTask<bool> RotateAsync(string id, string prefix, byte[] hash, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken);

    /// <summary>Returns the named server secret (e.g. the artifact link signing key), creating it with <paramref name="create"/> the first time.</summary>
    ValueTask<byte[]> GetOrCreateServerSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken);
}
