using Microsoft.Extensions.Time.Testing;
using Switchyard.Artifacts;

namespace Switchyard.Core.Tests.Artifacts;

public sealed class FileArtifactStoreRetentionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "switchyard-artifacts-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task DeleteCreatedBeforeAsync_RemovesOnlyOlderArtifactsContentAndSidecar()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero));
        var store = new FileArtifactStore(_folder, time);
        var old = await store.SaveAsync(new byte[] { 1, 2, 3 }, "image/png", "key_a", "run_1", TestContext.Current.CancellationToken);
        time.Advance(TimeSpan.FromDays(10));
        var recent = await store.SaveAsync(new byte[] { 4, 5, 6 }, "audio/wav", "key_a", "run_2", TestContext.Current.CancellationToken);

        var removed = await store.DeleteCreatedBeforeAsync(time.GetUtcNow() - TimeSpan.FromDays(5), TestContext.Current.CancellationToken);

        Assert.Equal(1, removed);
        Assert.Null(await store.GetInfoAsync(old.Id, TestContext.Current.CancellationToken));
        Assert.NotNull(await store.GetInfoAsync(recent.Id, TestContext.Current.CancellationToken));
        Assert.Equal(2, Directory.EnumerateFiles(_folder, "*", SearchOption.AllDirectories).Count());
    }

    [Fact]
    public async Task DeleteCreatedBeforeAsync_NoFolder_Zero()
    {
        var store = new FileArtifactStore(_folder, TimeProvider.System);

        Assert.Equal(0, await store.DeleteCreatedBeforeAsync(DateTimeOffset.MaxValue, TestContext.Current.CancellationToken));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
