using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Switchyard.Keys;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Storage.Tests;

public sealed class SqliteKeyStoreTests : IAsyncLifetime
{
    private readonly TestDatabase _files = new();
    private SqliteKeyStore _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _store = new SqliteKeyStore(await _files.OpenAsync());

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task FindByPrefixAsync_AfterAdd_RoundTripsEveryField()
    {
        var key = Key("key_1", "sy_abc", TestDatabase.Start.AddTicks(1234567)) with
        {
            IsAdmin = true,
            RevokedAt = TestDatabase.Start.AddDays(1),
        };
        await _store.AddAsync(key, Ct);

        var found = await _store.FindByPrefixAsync("sy_abc", Ct);

        AssertSame(key, found);
    }

    [Fact]
    public async Task FindByPrefixAsync_UnknownPrefix_ReturnsNull()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", TestDatabase.Start), Ct);

        Assert.Null(await _store.FindByPrefixAsync("sy_xyz", Ct));
    }

    [Fact]
    public async Task AddAsync_DuplicatePrefix_Throws()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", TestDatabase.Start), Ct);

        await Assert.ThrowsAsync<SqliteException>(async () => await _store.AddAsync(Key("key_2", "sy_abc", TestDatabase.Start), Ct));
    }

    [Fact]
    public async Task AddAsync_DuplicateId_Throws()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", TestDatabase.Start), Ct);

        await Assert.ThrowsAsync<SqliteException>(async () => await _store.AddAsync(Key("key_1", "sy_def", TestDatabase.Start), Ct));
    }

    [Fact]
    public async Task ListAsync_SeveralKeys_ReturnsAllNewestFirst()
    {
        await _store.AddAsync(Key("key_1", "sy_1", TestDatabase.Start.AddMinutes(1)), Ct);
        await _store.AddAsync(Key("key_3", "sy_3", TestDatabase.Start.AddMinutes(3)), Ct);
        await _store.AddAsync(Key("key_2", "sy_2", TestDatabase.Start.AddMinutes(2)), Ct);

        var keys = await _store.ListAsync(Ct);

        Assert.Equal(["key_3", "key_2", "key_1"], keys.Select(k => k.Id));
    }

    [Fact]
    public async Task ListAsync_Empty_ReturnsEmpty()
    {
        Assert.Empty(await _store.ListAsync(Ct));
    }

    [Fact]
    public async Task RevokeAsync_ActiveKey_ReturnsTrueAndSetsRevokedAt()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", TestDatabase.Start), Ct);
        var at = TestDatabase.Start.AddHours(5);

        Assert.True(await _store.RevokeAsync("key_1", at, Ct));

        Assert.Equal(at, (await _store.FindByPrefixAsync("sy_abc", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_AlreadyRevoked_ReturnsFalseAndKeepsFirstTime()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", TestDatabase.Start), Ct);
        var first = TestDatabase.Start.AddHours(1);
        await _store.RevokeAsync("key_1", first, Ct);

        Assert.False(await _store.RevokeAsync("key_1", TestDatabase.Start.AddHours(2), Ct));

        Assert.Equal(first, (await _store.FindByPrefixAsync("sy_abc", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_UnknownId_ReturnsFalse()
    {
        Assert.False(await _store.RevokeAsync("key_missing", TestDatabase.Start, Ct));
    }

    [Fact]
    public async Task GetOrCreateServerSecretAsync_FirstCall_StoresCreatedValue()
    {
        byte[] value = [1, 2, 3, 4];

        var secret = await _store.GetOrCreateServerSecretAsync("link_signing", () => value, Ct);

        Assert.Equal(value, secret);
        Assert.Equal(value, await _store.GetOrCreateServerSecretAsync("link_signing", () => throw new InvalidOperationException("not again"), Ct));
    }

    [Fact]
    public async Task GetOrCreateServerSecretAsync_TwoStoresOnSameFile_ReturnSameValue()
    {
        var first = await _store.GetOrCreateServerSecretAsync("link_signing", () => RandomNumberGenerator.GetBytes(32), Ct);
        var other = new SqliteKeyStore(await _files.OpenAsync());
        var created = 0;

        var second = await other.GetOrCreateServerSecretAsync("link_signing", () => { created++; return RandomNumberGenerator.GetBytes(32); }, Ct);

        Assert.Equal(first, second);
        Assert.Equal(0, created);
    }

    [Fact]
    public async Task GetOrCreateServerSecretAsync_ConcurrentCallersOnTwoDatabases_AgreeOnOneValue()
    {
        var stores = new[] { _store, new SqliteKeyStore(await _files.OpenAsync()) };
        var results = new ConcurrentBag<byte[]>();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            async () => results.Add(await stores[i % 2].GetOrCreateServerSecretAsync("link_signing", () => RandomNumberGenerator.GetBytes(32), Ct)),
            Ct)));

        var expected = results.First();
        Assert.Equal(20, results.Count);
        Assert.All(results, value => Assert.Equal(expected, value));
    }

    [Fact]
    public async Task GetOrCreateServerSecretAsync_DifferentNames_KeepSeparateValues()
    {
        var a = await _store.GetOrCreateServerSecretAsync("a", () => [1], Ct);
        var b = await _store.GetOrCreateServerSecretAsync("b", () => [2], Ct);

        Assert.Equal([1], a);
        Assert.Equal([2], b);
    }

    [Fact]
    public async Task GetOrCreateServerSecretAsync_FactoryReturnsEmpty_Throws()
    {
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await _store.GetOrCreateServerSecretAsync("a", () => [], Ct));
    }

    private static ApiKeyRecord Key(string id, string prefix, DateTimeOffset createdAt) => new()
    {
        Id = id,
        Name = "name of " + id,
        Prefix = prefix,
        Hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(prefix + "_secret")),
        CreatedAt = createdAt,
    };

    private static void AssertSame(ApiKeyRecord expected, ApiKeyRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Prefix, actual.Prefix);
        Assert.Equal(expected.Hash, actual.Hash);
        Assert.Equal(expected.IsAdmin, actual.IsAdmin);
        Assert.Equal(expected.CreatedAt, actual.CreatedAt);
        Assert.Equal(expected.RevokedAt, actual.RevokedAt);
    }
}
