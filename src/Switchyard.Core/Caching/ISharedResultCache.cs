namespace Switchyard.Caching;

/// <summary>
/// A result cache shared by every gateway process (Redis), behind the in-process one: a result one
/// node produced serves identical requests on every node until its TTL ends.
/// </summary>
public interface ISharedResultCache
{
    /// <summary>The result stored under <paramref name="key"/>, or null (also when the shared store cannot be reached).</summary>
    ValueTask<CachedResult?> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Stores <paramref name="result"/> for <paramref name="ttl"/>; a store that cannot be reached is not an error.</summary>
    ValueTask SetAsync(string key, CachedResult result, TimeSpan ttl, CancellationToken cancellationToken);
}
