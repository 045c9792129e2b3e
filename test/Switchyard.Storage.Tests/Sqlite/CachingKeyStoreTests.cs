using Microsoft.Extensions.Time.Testing;
using Switchyard.Keys;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>
/// The key lookup cache over real SQLite: two caches on one file are two server processes. A change made
/// through a cache is seen by it at once; the other process sees it within the TTL.
/// </summary>
public sealed class CachingKeyStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = StorageTestTime.Start;

    private readonly SqliteTestDatabase _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FindByPrefixAsync_Repeated_ReadsTheDatabaseOncePerTtl()
    {
        var time = new FakeTimeProvider(T0);
        var counting = new CountingStore(new SqliteKeyStore(await _files.OpenAsync()));
        var cache = new CachingKeyStore(counting, time, TimeSpan.FromSeconds(30));
        var (_, record) = ApiKeys.Create("app", isAdmin: false, T0);
        await cache.AddAsync(record, Ct);

        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(record.Id, (await cache.FindByPrefixAsync(record.Prefix, Ct))!.Id);
        }

        Assert.Equal(1, counting.Finds);
        time.Advance(TimeSpan.FromSeconds(30));
        await cache.FindByPrefixAsync(record.Prefix, Ct);
        Assert.Equal(2, counting.Finds);
    }

    [Fact]
    public async Task RevokeAsync_InThisProcess_TakesEffectAtOnce_InOtherProcessWithinTtl()
    {
        var time = new FakeTimeProvider(T0);
        var serverA = new CachingKeyStore(new SqliteKeyStore(await _files.OpenAsync()), time, TimeSpan.FromSeconds(30));
        var serverB = new CachingKeyStore(new SqliteKeyStore(await _files.OpenAsync()), time, TimeSpan.FromSeconds(30));
        var (key, record) = ApiKeys.Create("app", isAdmin: false, T0);
        await serverA.AddAsync(record, Ct);
        Assert.True(await Opens(serverA, key, time));
        Assert.True(await Opens(serverB, key, time));

        Assert.True(await serverA.RevokeAsync(record.Id, time.GetUtcNow(), Ct));

        Assert.False(await Opens(serverA, key, time));
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.True(await Opens(serverB, key, time));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await Opens(serverB, key, time));
    }

    [Fact]
    public async Task FindByPrefixAsync_KeyCreatedByAnotherProcessAfterAMiss_IsFoundAtOnce()
    {
        var time = new FakeTimeProvider(T0);
        var server = new CachingKeyStore(new SqliteKeyStore(await _files.OpenAsync()), time);
        var cli = new SqliteKeyStore(await _files.OpenAsync());
        var (key, record) = ApiKeys.Create("app", isAdmin: false, T0);
        Assert.Null(await server.FindByPrefixAsync(record.Prefix, Ct));

        await cli.AddAsync(record, Ct);

        Assert.True(await Opens(server, key, time));
    }

    [Fact]
    public async Task RotateAsync_ThroughCache_DropsTheOldEntryAndBothSecretsOpenDuringOverlap()
    {
        var time = new FakeTimeProvider(T0);
        var cache = new CachingKeyStore(new SqliteKeyStore(await _files.OpenAsync()), time);
        var (oldKey, record) = ApiKeys.Create("app", isAdmin: false, T0);
        await cache.AddAsync(record, Ct);
        Assert.True(await Opens(cache, oldKey, time));
        var (newKey, prefix, hash) = ApiKeys.NewSecret();

        Assert.True(await cache.RotateAsync(record.Id, prefix, hash, T0.AddHours(1), Ct));

        Assert.True(await Opens(cache, newKey, time));
        Assert.True(await Opens(cache, oldKey, time));
        time.Advance(TimeSpan.FromHours(1));
        Assert.False(await Opens(cache, oldKey, time));
        Assert.True(await Opens(cache, newKey, time));
    }

    [Fact]
    public async Task FindByPrefixAsync_MoreKeysThanCapacity_StaysBounded()
    {
        var time = new FakeTimeProvider(T0);
        var cache = new CachingKeyStore(new SqliteKeyStore(await _files.OpenAsync()), time, capacity: 5);
        var prefixes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            var (_, record) = ApiKeys.Create("app" + i, isAdmin: false, T0);
            await cache.AddAsync(record, Ct);
            prefixes.Add(record.Prefix);
        }

        foreach (var prefix in prefixes)
        {
            Assert.NotNull(await cache.FindByPrefixAsync(prefix, Ct));
            Assert.InRange(cache.Count, 1, 5);
        }
    }

    public void Dispose() => _files.Dispose();

    private static async Task<bool> Opens(IKeyStore store, string key, TimeProvider time) =>
        await store.FindByPrefixAsync(ApiKeys.TryParsePrefix(key)!, Ct) is { } record && ApiKeys.Matches(key, record, time.GetUtcNow());

    private sealed class CountingStore(IKeyStore inner) : IKeyStore
    {
        public int Finds { get; private set; }

        public ValueTask<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
        {
            Finds++;
            return inner.FindByPrefixAsync(prefix, cancellationToken);
        }

        public ValueTask AddAsync(ApiKeyRecord key, CancellationToken cancellationToken) => inner.AddAsync(key, cancellationToken);

        public ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken) => inner.RevokeAsync(id, at, cancellationToken);

        public ValueTask<bool> UpdateLimitsAsync(string id, KeyLimits limits, CancellationToken cancellationToken) => inner.UpdateLimitsAsync(id, limits, cancellationToken);

        public ValueTask<bool> RotateAsync(string id, string prefix, byte[] hash, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken) =>
            inner.RotateAsync(id, prefix, hash, previousExpiresAt, cancellationToken);

        public ValueTask<byte[]> GetOrCreateServerSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken) =>
            inner.GetOrCreateServerSecretAsync(name, create, cancellationToken);
    }
}
