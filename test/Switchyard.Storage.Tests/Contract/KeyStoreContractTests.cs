using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Switchyard.Keys;

namespace Switchyard.Storage.Tests.Contract;

/// <summary>What every <see cref="IKeyStore"/> backend must do; each backend runs it through a subclass.</summary>
public abstract class KeyStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = StorageTestTime.Start;

    private IKeyStore _store = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A key store over a fresh, empty store for this test.</summary>
    protected abstract ValueTask<IKeyStore> CreateStoreAsync();

    /// <summary>Another key store over the same store, as a second process or node would have.</summary>
    protected abstract ValueTask<IKeyStore> OpenSecondStoreAsync();

    /// <summary>Releases what the factories opened.</summary>
    protected abstract ValueTask DisposeStoreAsync();

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        await DisposeStoreAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task FindByPrefixAsync_AfterAdd_RoundTripsEveryField()
    {
        var key = Key("key_1", "sy_abc", T0.AddTicks(1_234_560)) with
        {
            IsAdmin = true,
            RevokedAt = T0.AddDays(1),
        };
        await _store.AddAsync(key, Ct);

        var found = await _store.FindByPrefixAsync("sy_abc", Ct);

        AssertSame(key, found);
    }

    [Fact]
    public async Task FindByPrefixAsync_ActiveKey_HasNoRevocationAndNotAdmin()
    {
        var key = Key("key_1", "sy_abc", T0);
        await _store.AddAsync(key, Ct);

        AssertSame(key, await _store.FindByPrefixAsync("sy_abc", Ct));
    }

    [Fact]
    public async Task FindByPrefixAsync_UnknownPrefix_ReturnsNull()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);

        Assert.Null(await _store.FindByPrefixAsync("sy_xyz", Ct));
    }

    [Fact]
    public async Task FindByPrefixAsync_PrefixWithQuote_IsTreatedAsData()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);

        Assert.Null(await _store.FindByPrefixAsync("x' OR '1'='1", Ct));
    }

    [Fact]
    public async Task AddAsync_DuplicatePrefix_Throws()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);

        await Assert.ThrowsAnyAsync<DbException>(async () => await _store.AddAsync(Key("key_2", "sy_abc", T0), Ct));
    }

    [Fact]
    public async Task AddAsync_DuplicateId_Throws()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);

        await Assert.ThrowsAnyAsync<DbException>(async () => await _store.AddAsync(Key("key_1", "sy_def", T0), Ct));
    }

    [Fact]
    public async Task ListAsync_SeveralKeys_ReturnsAllNewestFirst()
    {
        await _store.AddAsync(Key("key_1", "sy_1", T0.AddMinutes(1)), Ct);
        await _store.AddAsync(Key("key_3", "sy_3", T0.AddMinutes(3)), Ct);
        await _store.AddAsync(Key("key_2", "sy_2", T0.AddMinutes(2)), Ct);

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
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);
        var at = T0.AddHours(5);

        Assert.True(await _store.RevokeAsync("key_1", at, Ct));

        Assert.Equal(at, (await _store.FindByPrefixAsync("sy_abc", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_AlreadyRevoked_ReturnsFalseAndKeepsFirstTime()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);
        var first = T0.AddHours(1);
        await _store.RevokeAsync("key_1", first, Ct);

        Assert.False(await _store.RevokeAsync("key_1", T0.AddHours(2), Ct));

        Assert.Equal(first, (await _store.FindByPrefixAsync("sy_abc", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task RevokeAsync_UnknownId_ReturnsFalse()
    {
        Assert.False(await _store.RevokeAsync("key_missing", T0, Ct));
    }

    [Fact]
    public async Task RevokeAsync_SeenFromSecondStore()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);
        var other = await OpenSecondStoreAsync();

        Assert.True(await other.RevokeAsync("key_1", T0.AddHours(1), Ct));

        Assert.Equal(T0.AddHours(1), (await _store.FindByPrefixAsync("sy_abc", Ct))!.RevokedAt);
    }

    [Fact]
    public async Task AddAsync_WithLimits_RoundTripsThem()
    {
        var limits = new KeyLimits { RequestsPerMinute = 60, Concurrency = 2, DailyQuota = 1000, Routes = ["image", "sandbox-a/sandbox-text"] };
        await _store.AddAsync(Key("key_1", "sy_abc", T0) with { Limits = limits }, Ct);

        var found = await _store.FindByPrefixAsync("sy_abc", Ct);

        Assert.Equal(limits, found!.Limits);
        Assert.Equal(["image", "sandbox-a/sandbox-text"], found.Limits.Routes);
        Assert.Equal(limits, (await _store.ListAsync(Ct)).Single().Limits);
    }

    [Fact]
    public async Task AddAsync_WithoutLimits_ReadsBackUnlimited()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);

        var found = await _store.FindByPrefixAsync("sy_abc", Ct);

        Assert.True(found!.Limits.IsUnlimited);
        Assert.Null(found.Limits.Routes);
        Assert.Null(found.PreviousPrefix);
    }

    [Fact]
    public async Task UpdateLimitsAsync_ChangesLimitsSeenFromSecondStore()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0) with { Limits = new KeyLimits { RequestsPerMinute = 5 } }, Ct);
        var limits = new KeyLimits { Concurrency = 3, Routes = ["text"] };

        Assert.True(await _store.UpdateLimitsAsync("key_1", limits, Ct));

        var other = await OpenSecondStoreAsync();
        Assert.Equal(limits, (await other.FindByPrefixAsync("sy_abc", Ct))!.Limits);
    }

    [Fact]
    public async Task UpdateLimitsAsync_UnknownId_ReturnsFalse()
    {
        Assert.False(await _store.UpdateLimitsAsync("key_missing", new KeyLimits { Concurrency = 1 }, Ct));
    }

    [Fact]
    public async Task RotateAsync_ActiveKey_NewPrefixFindsItAndOldPrefixStillFindsIt()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0) with { Limits = new KeyLimits { DailyQuota = 7 } }, Ct);
        var newHash = SHA256.HashData("new"u8.ToArray());
        var until = T0.AddHours(24);

        Assert.True(await _store.RotateAsync("key_1", "sy_new", newHash, until, Ct));

        var byNew = await _store.FindByPrefixAsync("sy_new", Ct);
        var byOld = await _store.FindByPrefixAsync("sy_abc", Ct);
        foreach (var found in new[] { byNew, byOld })
        {
            Assert.NotNull(found);
            Assert.Equal("key_1", found.Id);
            Assert.Equal("sy_new", found.Prefix);
            Assert.Equal(newHash, found.Hash);
            Assert.Equal("sy_abc", found.PreviousPrefix);
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes("sy_abc_secret")), found.PreviousHash);
            Assert.Equal(until, found.PreviousExpiresAt);
            Assert.Equal(7, found.Limits.DailyQuota);
        }
    }

    [Fact]
    public async Task RotateAsync_Twice_OnlyTheLastPreviousPrefixIsKept()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);
        await _store.RotateAsync("key_1", "sy_two", [2], T0.AddHours(1), Ct);

        await _store.RotateAsync("key_1", "sy_three", [3], T0.AddHours(2), Ct);

        Assert.Null(await _store.FindByPrefixAsync("sy_abc", Ct));
        Assert.Equal("sy_two", (await _store.FindByPrefixAsync("sy_two", Ct))!.PreviousPrefix);
        Assert.Equal("sy_three", (await _store.FindByPrefixAsync("sy_three", Ct))!.Prefix);
    }

    [Fact]
    public async Task RotateAsync_RevokedOrUnknownKey_ReturnsFalse()
    {
        await _store.AddAsync(Key("key_1", "sy_abc", T0), Ct);
        await _store.RevokeAsync("key_1", T0, Ct);

        Assert.False(await _store.RotateAsync("key_1", "sy_new", [1], T0.AddHours(1), Ct));
        Assert.False(await _store.RotateAsync("key_missing", "sy_new2", [1], T0.AddHours(1), Ct));
        Assert.Null(await _store.FindByPrefixAsync("sy_new", Ct));
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
    public async Task GetOrCreateServerSecretAsync_TwoStoresOnOneStore_ReturnSameValue()
    {
        var first = await _store.GetOrCreateServerSecretAsync("link_signing", () => RandomNumberGenerator.GetBytes(32), Ct);
        var other = await OpenSecondStoreAsync();
        var created = 0;

        var second = await other.GetOrCreateServerSecretAsync("link_signing", () => { created++; return RandomNumberGenerator.GetBytes(32); }, Ct);

        Assert.Equal(first, second);
        Assert.Equal(0, created);
    }

    [Fact]
    public async Task GetOrCreateServerSecretAsync_ConcurrentCallersOnTwoStores_AgreeOnOneValue()
    {
        var stores = new[] { _store, await OpenSecondStoreAsync() };
        var results = new ConcurrentBag<byte[]>();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(
            async () => results.Add(await stores[i % 2].GetOrCreateServerSecretAsync("link_signing", () => RandomNumberGenerator.GetBytes(32), Ct)),
            Ct)));

        var expected = results.First();
        Assert.Equal(20, results.Count);
        Assert.All(results, value => Assert.Equal(expected, value));
    }

    [Fact]
    public async Task AddAsync_ConcurrentKeysOnTwoStores_NothingLost()
    {
        var stores = new[] { _store, await OpenSecondStoreAsync() };

        await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(
            async () => await stores[i % 2].AddAsync(Key($"key_{i:D2}", $"sy_{i:D2}", T0.AddSeconds(i)), Ct),
            Ct)));

        Assert.Equal(Enumerable.Range(0, 30).Reverse().Select(i => $"key_{i:D2}"), (await _store.ListAsync(Ct)).Select(k => k.Id));
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
        Hash = SHA256.HashData(Encoding.UTF8.GetBytes(prefix + "_secret")),
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
