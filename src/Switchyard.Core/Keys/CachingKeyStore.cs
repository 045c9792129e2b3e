using System.Collections.Concurrent;

namespace Switchyard.Keys;

/// <summary>
/// Keeps recent key lookups for a short time, so a request does not cost a database read for its key.
/// Changes made through this store (revoke, rotate, update) drop the key's entries at once; changes made by
/// another process (the CLI, another node) are seen when the entry expires, within <see cref="Ttl"/>.
/// Misses are not cached, so a key created elsewhere works at once.
/// </summary>
public sealed class CachingKeyStore : IKeyStore
{
    /// <summary>How long a lookup is kept by default.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(30);

    /// <summary>How many prefixes are kept by default.</summary>
    public const int DefaultCapacity = 10_000;

    private readonly IKeyStore _inner;
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public CachingKeyStore(IKeyStore inner, TimeProvider time, TimeSpan? ttl = null, int capacity = DefaultCapacity)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _inner = inner;
        _time = time;
        _capacity = capacity;
        Ttl = ttl ?? DefaultTtl;
    }

    /// <summary>How long a lookup is kept.</summary>
    public TimeSpan Ttl { get; }

    /// <summary>The store under the cache.</summary>
    public IKeyStore Inner => _inner;

    /// <summary>How many lookups are cached now.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public async ValueTask<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var now = _time.GetUtcNow();
        if (_entries.TryGetValue(prefix, out var entry) && now < entry.Expires)
        {
            return entry.Record;
        }

        var record = await _inner.FindByPrefixAsync(prefix, cancellationToken).ConfigureAwait(false);
        if (record is null)
        {
            _entries.TryRemove(prefix, out _);
            return null;
        }

        if (_entries.Count >= _capacity)
        {
            // Bounded: a flood of distinct keys empties the cache rather than growing it; expired entries go first.
            foreach (var (key, value) in _entries)
            {
                if (value.Expires <= now)
                {
                    _entries.TryRemove(key, out _);
                }
            }

            if (_entries.Count >= _capacity)
            {
                _entries.Clear();
            }
        }

        _entries[prefix] = new Entry(record, now + Ttl);
        return record;
    }

    /// <inheritdoc />
    public ValueTask AddAsync(ApiKeyRecord key, CancellationToken cancellationToken) => _inner.AddAsync(key, cancellationToken);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => _inner.ListAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var revoked = await _inner.RevokeAsync(id, at, cancellationToken).ConfigureAwait(false);
        Forget(id);
        return revoked;
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateLimitsAsync(string id, KeyLimits limits, CancellationToken cancellationToken)
    {
        var updated = await _inner.UpdateLimitsAsync(id, limits, cancellationToken).ConfigureAwait(false);
        Forget(id);
        return updated;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RotateAsync(string id, string prefix, byte[] hash, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken)
    {
        var rotated = await _inner.RotateAsync(id, prefix, hash, previousExpiresAt, cancellationToken).ConfigureAwait(false);
        Forget(id);
        return rotated;
    }

    /// <inheritdoc />
    public ValueTask<byte[]> GetOrCreateServerSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken) =>
        _inner.GetOrCreateServerSecretAsync(name, create, cancellationToken);

    /// <summary>Drops every cached lookup of the key <paramref name="id"/> (under its current or previous prefix).</summary>
    public void Forget(string id)
    {
        foreach (var (prefix, entry) in _entries)
        {
            if (string.Equals(entry.Record.Id, id, StringComparison.Ordinal))
            {
                _entries.TryRemove(prefix, out _);
            }
        }
    }

    private sealed record Entry(ApiKeyRecord Record, DateTimeOffset Expires);
}
