using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchyard.Caching;

/// <summary>A served output kept for identical requests, with who served it first.</summary>
/// <param name="Output">The provider output.</param>
/// <param name="Provider">The provider that produced it.</param>
/// <param name="ProviderType">Its type.</param>
/// <param name="Model">Its model.</param>
/// <param name="StoredAt">When it was produced.</param>
public sealed record CachedResult(object Output, string Provider, string ProviderType, string? Model, DateTimeOffset StoredAt);

/// <summary>
/// The in-process result cache (per route TTL, bounded size) on the injected clock, so expiry is
/// testable. With a shared cache (Redis, when several nodes run), it looks there on a local miss
/// and stores there too, so a result one node produced serves every node.
/// </summary>
public sealed class ResultCache
{
    /// <summary>The most entries kept; beyond it, expired entries go first, then the oldest.</summary>
    public const int MaxEntries = 2048;

    private readonly ConcurrentDictionary<string, (CachedResult Result, DateTimeOffset Expires)> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly ISharedResultCache? _shared;

    /// <summary>Creates the cache, backed by <paramref name="shared"/> when given.</summary>
    public ResultCache(TimeProvider time, ISharedResultCache? shared = null)
    {
        _time = time;
        _shared = shared;
    }

    /// <summary>The number of entries (expired ones included until evicted).</summary>
    public int Count => _entries.Count;

    /// <summary>A stable key for a request: route, key id and every field of the request.</summary>
    public static string KeyFor(string route, string? keyId, object request)
    {
        var json = JsonSerializer.Serialize(request, request.GetType());
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{route}\n{keyId}\n{request.GetType().Name}\n{json}")));
    }

    /// <summary>The cached result, if present and not expired.</summary>
    public CachedResult? Get(string key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (_time.GetUtcNow() >= entry.Expires)
        {
            _entries.TryRemove(new KeyValuePair<string, (CachedResult, DateTimeOffset)>(key, entry));
            return null;
        }

        return entry.Result;
    }

    /// <summary>The cached result from this process or, on a miss, from the shared cache.</summary>
    public async ValueTask<CachedResult?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (Get(key) is { } local)
        {
            return local;
        }

        return _shared is null ? null : await _shared.GetAsync(key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps a result for <paramref name="ttl"/> here and in the shared cache.</summary>
    public async ValueTask SetAsync(string key, CachedResult result, TimeSpan ttl, CancellationToken cancellationToken)
    {
        Set(key, result, ttl);
        if (_shared is not null)
        {
            await _shared.SetAsync(key, result, ttl, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Keeps a result for <paramref name="ttl"/> in this process.</summary>
    public void Set(string key, CachedResult result, TimeSpan ttl)
    {
        var now = _time.GetUtcNow();
        if (_entries.Count >= MaxEntries)
        {
            Evict(now);
        }

        _entries[key] = (result, now + ttl);
    }

    private void Evict(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }

        var excess = _entries.Count - (MaxEntries * 3 / 4);
        if (excess > 0)
        {
            foreach (var key in _entries.OrderBy(e => e.Value.Result.StoredAt).Take(excess).Select(e => e.Key).ToList())
            {
                _entries.TryRemove(key, out _);
            }
        }
    }
}
