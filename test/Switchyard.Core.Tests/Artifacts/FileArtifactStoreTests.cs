using System.Text;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Artifacts;

namespace Switchyard.Core.Tests.Artifacts;

/// <summary>What only the folder store does (files, extensions, paths); the behaviour every store shares is the contract suite in Switchyard.Storage.Tests.</summary>
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

    [Fact]
    public async Task SaveAsync_JsonContent_KeptApartFromItsSidecar()
    {
        var store = new FileArtifactStore(Folder, _time);

        var info = await store.SaveAsync("{\"a\":1}"u8.ToArray(), "application/json", null, null, Ct);

        Assert.Equal(2, Directory.GetFiles(Folder, info.Id + ".*", SearchOption.AllDirectories).Length);
        Assert.Single(Directory.GetFiles(Folder, info.Id + ".data.json", SearchOption.AllDirectories));
        Assert.Equal("{\"a\":1}"u8.ToArray(), await ReadAllAsync(store, info.Id));
        Assert.Equal(info, await store.GetInfoAsync(info.Id, Ct));
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
