namespace Switchyard.Keys;

/// <summary>Where API keys (as hashes) and the server's own signing secrets are kept.</summary>
public interface IKeyStore
{
    /// <summary>The key with this prefix, or null.</summary>
    ValueTask<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>Stores a new key.</summary>
    ValueTask AddAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>All keys, newest first.</summary>
    ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Marks a key revoked; false when there is no such active key.</summary>
    ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Returns the named server secret (e.g. the artifact link signing key), creating it with <paramref name="create"/> the first time.</summary>
    ValueTask<byte[]> GetOrCreateServerSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken);
}
