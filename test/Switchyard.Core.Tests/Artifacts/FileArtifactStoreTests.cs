using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Artifacts;

namespace Switchyard.Core.Tests.Artifacts;

public sealed class FileArtifactStoreTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 5, 6, 7, 8, 9, TimeSpan.Zero);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "switchyard-artifact-tests", Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Now);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Folder => Path.Combine(_root, "artifacts");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void Constructor_MissingFolder_CreatesIt()
    {
        _ = new FileArtifactStore(Folder, _time);

        Assert.True(Directory.Exists(Folder));
    }

    [Fact]
    public async Task OpenReadAsync_AfterSave_ReturnsSameBytes()
    {
        var store = new FileArtifactStore(Folder, _time);
        var content = new byte[300_000];
        new Random(42).NextBytes(content);

        var info = await store.SaveAsync(content, "image/png", "key_1", "run_1", Ct);

        Assert.Equal(content, await ReadAllAsync(store, info.Id));
    }

    [Fact]
    public async Task SaveAsync_Always_ReturnsFactsWithClockTime()
    {
        var store = new FileArtifactStore(Folder, _time);

        var info = await store.SaveAsync("hello"u8.ToArray(), "text/plain; charset=utf-8", "key_1", "run_1", Ct);

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
        var store = new FileArtifactStore(Folder, _time);

        var info = await store.SaveAsync("abc"u8.ToArray(), "text/plain", null, null, Ct);

        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", info.Sha256);
    }

    [Fact]
    public async Task SaveAsync_EmptyContent_StoresEmptyFile()
    {
        var store = new FileArtifactStore(Folder, _time);

        var info = await store.SaveAsync(ReadOnlyMemory<byte>.Empty, "application/octet-stream", null, null, Ct);

        Assert.Equal(0, info.Bytes);
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", info.Sha256);
        Assert.Empty(await ReadAllAsync(store, info.Id));
    }

    [Fact]
    public async Task SaveAsync_ManyAtOnce_GivesDistinctReadableArtifacts()
    {
        var store = new FileArtifactStore(Folder, _time);

        var infos = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(
            async () => await store.SaveAsync(Encoding.UTF8.GetBytes($"item {i}"), "text/plain", null, $"run_{i}", Ct),
            Ct)));

        Assert.Equal(40, infos.Select(i => i.Id).Distinct(StringComparer.Ordinal).Count());
        foreach (var info in infos)
        {
            Assert.Equal($"item {info.RunId![4..]}", Encoding.UTF8.GetString(await ReadAllAsync(store, info.Id)));
        }
    }

    [Fact]
    public async Task SaveAsync_Always_LeavesNoTemporaryFiles()
    {
        var store = new FileArtifactStore(Folder, _time);

        await store.SaveAsync("abc"u8.ToArray(), "audio/wav", null, null, Ct);

        var files = Directory.GetFiles(Folder, "*", SearchOption.AllDirectories);
        Assert.Equal(2, files.Length);
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("image/png", "png")]
    [InlineData("audio/wav", "wav")]
    [InlineData("audio/mpeg", "mp3")]
    [InlineData("audio/ogg", "ogg")]
    [InlineData("audio/flac", "flac")]
    [InlineData("audio/pcm", "pcm")]
    [InlineData("text/plain; charset=utf-8", "txt")]
    [InlineData("application/octet-stream", "bin")]
    [InlineData("Image/PNG", "png")]
    public async Task SaveAsync_ContentType_WritesFileWithExtension(string contentType, string extension)
    {
        var store = new FileArtifactStore(Folder, _time);

        var info = await store.SaveAsync("abc"u8.ToArray(), contentType, null, null, Ct);

        var file = Assert.Single(Directory.GetFiles(Folder, info.Id + ".*", SearchOption.AllDirectories), f => !f.EndsWith(".json", StringComparison.Ordinal));
        Assert.Equal("." + extension, Path.GetExtension(file));
        Assert.Equal("abc"u8.ToArray(), await ReadAllAsync(store, info.Id));
    }

    [Fact]
    public async Task GetInfoAsync_AfterSave_ReturnsSameFacts()
    {
        var store = new FileArtifactStore(Folder, _time);
        var saved = await store.SaveAsync("abc"u8.ToArray(), "audio/mpeg", "key_1", "run_1", Ct);

        Assert.Equal(saved, await store.GetInfoAsync(saved.Id, Ct));
    }

    [Fact]
    public async Task GetInfoAsync_NewStoreOnSameFolder_ReturnsPersistedFacts()
    {
        var saved = await new FileArtifactStore(Folder, _time).SaveAsync("abc"u8.ToArray(), "audio/flac", "key_1", "run_1", Ct);

        var reopened = new FileArtifactStore(Folder, new FakeTimeProvider(Now.AddDays(1)));

        Assert.Equal(saved, await reopened.GetInfoAsync(saved.Id, Ct));
        Assert.Equal("abc"u8.ToArray(), await ReadAllAsync(reopened, saved.Id));
    }

    [Fact]
    public async Task GetInfoAsync_UnknownId_ReturnsNull()
    {
        var store = new FileArtifactStore(Folder, _time);

        Assert.Null(await store.GetInfoAsync("art_0000000000000000000000", Ct));
        Assert.Null(await store.OpenReadAsync("art_0000000000000000000000", Ct));
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
        var store = new FileArtifactStore(Folder, _time);

        Assert.Null(await store.GetInfoAsync(id, Ct));
        Assert.Null(await store.OpenReadAsync(id, Ct));
    }

    [Fact]
    public async Task OpenReadAsync_TraversalToPlantedFile_ReturnsNull()
    {
        var store = new FileArtifactStore(Folder, _time);
        var saved = await store.SaveAsync("abc"u8.ToArray(), "text/plain", null, null, Ct);
        var sidecar = Assert.Single(Directory.GetFiles(Folder, saved.Id + ".json", SearchOption.AllDirectories));
        File.Copy(sidecar, Path.Combine(_root, "x.json"));
        File.WriteAllText(Path.Combine(_root, "x.txt"), "secret");

        Assert.Null(await store.GetInfoAsync("../x", Ct));
        Assert.Null(await store.OpenReadAsync("../x", Ct));
        Assert.Null(await store.OpenReadAsync("../../x", Ct));
    }

    [Fact]
    public async Task OpenReadAsync_ContentFileMissing_ReturnsNull()
    {
        var store = new FileArtifactStore(Folder, _time);
        var saved = await store.SaveAsync("abc"u8.ToArray(), "image/png", null, null, Ct);
        File.Delete(Assert.Single(Directory.GetFiles(Folder, saved.Id + ".png", SearchOption.AllDirectories)));

        Assert.Null(await store.OpenReadAsync(saved.Id, Ct));
    }

    [Theory]
    [InlineData("audio/x-wav", "wav")]
    [InlineData("audio/opus", "ogg")]
    [InlineData("audio/aac", "aac")]
    [InlineData("image/jpeg", "jpg")]
    [InlineData("text/markdown", "txt")]
    [InlineData("application/json", "json")]
    [InlineData("", "bin")]
    public void ExtensionFor_ContentType_ReturnsExtension(string contentType, string extension)
    {
        Assert.Equal(extension, FileArtifactStore.ExtensionFor(contentType));
    }

    private static async Task<byte[]> ReadAllAsync(FileArtifactStore store, string id)
    {
        await using var stream = await store.OpenReadAsync(id, Ct);
        Assert.NotNull(stream);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
