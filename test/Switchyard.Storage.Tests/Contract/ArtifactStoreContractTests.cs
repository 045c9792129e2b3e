using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Artifacts;

namespace Switchyard.Storage.Tests.Contract;

/// <summary>What every <see cref="IArtifactStore"/> backend must do (a local folder, S3); each backend runs it through a subclass.</summary>
public abstract class ArtifactStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset Now = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private IArtifactStore _store = null!;

    protected FakeTimeProvider Time { get; } = new(Now);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store over a fresh, empty place for this test, on <see cref="Time"/>.</summary>
    protected abstract ValueTask<IArtifactStore> CreateStoreAsync();

    /// <summary>Another store over the same place, as a restarted or second node would have, on <paramref name="time"/>.</summary>
    protected abstract ValueTask<IArtifactStore> OpenSecondStoreAsync(TimeProvider time);

    /// <summary>Removes what the test stored.</summary>
    protected abstract ValueTask DisposeStoreAsync();

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        await DisposeStoreAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task OpenReadAsync_AfterSave_ReturnsSameBytes()
    {
        var content = new byte[300_000];
        new Random(42).NextBytes(content);

        var info = await _store.SaveAsync(content, "image/png", "key_1", "run_1", Ct);

        Assert.Equal(content, await ReadAllAsync(_store, info.Id));
    }

    [Fact]
    public async Task SaveAsync_Always_ReturnsFactsWithClockTime()
    {
        var info = await _store.SaveAsync("hello"u8.ToArray(), "text/plain; charset=utf-8", "key_1", "run_1", Ct);

        Assert.Matches("^art_[A-Za-z0-9]{22}$", info.Id);
        Assert.Equal("text/plain; charset=utf-8", info.ContentType);
        Assert.Equal(5, info.Bytes);
        Assert.Equal("key_1", info.OwnerKeyId);
        Assert.Equal("run_1", info.RunId);
        Assert.Equal(Now, info.CreatedAt);
    }

    [Fact]
    public async Task SaveAsync_Abc_ComputesKnownSha256()
    {
        var info = await _store.SaveAsync("abc"u8.ToArray(), "text/plain", null, null, Ct);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", info.Sha256);
    }

    [Fact]
    public async Task SaveAsync_EmptyContent_StoresEmptyArtifact()
    {
        var info = await _store.SaveAsync(ReadOnlyMemory<byte>.Empty, "application/octet-stream", null, null, Ct);

        Assert.Equal(0, info.Bytes);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", info.Sha256);
        Assert.Empty(await ReadAllAsync(_store, info.Id));
    }

    [Fact]
    public async Task SaveAsync_ManyAtOnce_GivesDistinctReadableArtifacts()
    {
        var infos = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(
            async () => await _store.SaveAsync(Encoding.UTF8.GetBytes($"item {i}"), "text/plain", null, $"run_{i}", Ct),
            Ct)));

        Assert.Equal(40, infos.Select(i => i.Id).Distinct(StringComparer.Ordinal).Count());
        foreach (var info in infos)
        {
            Assert.Equal($"item {info.RunId![4..]}", Encoding.UTF8.GetString(await ReadAllAsync(_store, info.Id)));
        }
    }

    [Theory]
    [InlineData("image/png")]
    [InlineData("image/jpeg")]
    [InlineData("audio/wav")]
    [InlineData("audio/mpeg")]
    [InlineData("audio/flac")]
    [InlineData("application/json")]
    [InlineData("text/plain; charset=utf-8")]
    public async Task GetInfoAsync_AfterSave_ReturnsSameFactsWithContentType(string contentType)
    {
        var saved = await _store.SaveAsync("abc"u8.ToArray(), contentType, "key_1", "run_1", Ct);

        var info = await _store.GetInfoAsync(saved.Id, Ct);

        Assert.Equal(saved, info);
        Assert.Equal("abc"u8.ToArray(), await ReadAllAsync(_store, saved.Id));
    }

    [Fact]
    public async Task GetInfoAsync_NoOwnerNoRun_KeepsThemNull()
    {
        var saved = await _store.SaveAsync("abc"u8.ToArray(), "image/png", null, null, Ct);

        var info = await _store.GetInfoAsync(saved.Id, Ct);

        Assert.NotNull(info);
        Assert.Null(info.OwnerKeyId);
        Assert.Null(info.RunId);
    }

    [Fact]
    public async Task GetInfoAsync_SecondStoreOnSamePlace_ReturnsPersistedFacts()
    {
        var saved = await _store.SaveAsync("abc"u8.ToArray(), "audio/flac", "key_1", "run_1", Ct);

        var reopened = await OpenSecondStoreAsync(new FakeTimeProvider(Now.AddDays(1)));

        Assert.Equal(saved, await reopened.GetInfoAsync(saved.Id, Ct));
        Assert.Equal("abc"u8.ToArray(), await ReadAllAsync(reopened, saved.Id));
    }

    [Fact]
    public async Task GetInfoAsync_UnknownId_ReturnsNull()
    {
        await _store.SaveAsync("abc"u8.ToArray(), "image/png", null, null, Ct);

        Assert.Null(await _store.GetInfoAsync("art_0000000000000000000000", Ct));
        Assert.Null(await _store.OpenReadAsync("art_0000000000000000000000", Ct));
    }

    [Theory]
    [InlineData("")]
    [InlineData("../x")]
    [InlineData("art_../../x")]
    [InlineData("art_ab/cd")]
    [InlineData("art_ab\\cd")]
    [InlineData("art_ab.cd")]
    [InlineData("art_%2e%2e")]
    [InlineData("art_")]
    [InlineData("art_a")]
    [InlineData("ART_abcdef")]
    [InlineData("/etc/passwd")]
    [InlineData("art_abcdéf")]
    public async Task GetInfoAsync_MalformedId_ReturnsNull(string id)
    {
        Assert.Null(await _store.GetInfoAsync(id, Ct));
        Assert.Null(await _store.OpenReadAsync(id, Ct));
    }

    [Fact]
    public async Task DeleteCreatedBeforeAsync_RemovesOnlyOlderArtifacts()
    {
        var old = await _store.SaveAsync(new byte[] { 1, 2, 3 }, "image/png", "key_a", "run_1", Ct);
        Time.Advance(TimeSpan.FromDays(10));
        var recent = await _store.SaveAsync(new byte[] { 4, 5, 6 }, "audio/wav", "key_a", "run_2", Ct);

        var removed = await _store.DeleteCreatedBeforeAsync(Time.GetUtcNow() - TimeSpan.FromDays(5), Ct);

        Assert.Equal(1, removed);
        Assert.Null(await _store.GetInfoAsync(old.Id, Ct));
        Assert.Null(await _store.OpenReadAsync(old.Id, Ct));
        Assert.Equal(recent, await _store.GetInfoAsync(recent.Id, Ct));
        Assert.Equal(new byte[] { 4, 5, 6 }, await ReadAllAsync(_store, recent.Id));
    }

    [Fact]
    public async Task DeleteCreatedBeforeAsync_Empty_Zero()
    {
        Assert.Equal(0, await _store.DeleteCreatedBeforeAsync(DateTimeOffset.MaxValue, Ct));
    }

    protected static async Task<byte[]> ReadAllAsync(IArtifactStore store, string id)
    {
        await using var stream = await store.OpenReadAsync(id, Ct);
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
