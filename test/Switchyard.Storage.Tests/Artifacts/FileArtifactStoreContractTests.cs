using Switchyard.Artifacts;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Artifacts;

/// <summary>The artifact store contract on a local folder of its own per test.</summary>
public sealed class FileArtifactStoreContractTests : ArtifactStoreContractTests
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "switchyard-artifact-contract", Guid.NewGuid().ToString("N"));

    protected override ValueTask<IArtifactStore> CreateStoreAsync() => ValueTask.FromResult<IArtifactStore>(new FileArtifactStore(_folder, Time));

    protected override ValueTask<IArtifactStore> OpenSecondStoreAsync(TimeProvider time) => ValueTask.FromResult<IArtifactStore>(new FileArtifactStore(_folder, time));

    protected override ValueTask DisposeStoreAsync()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }
}
