using Switchyard.Jobs;
using Switchyard.Storage.Sqlite;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>The job store contract on a SQLite file; a second store is a second process on the same file.</summary>
public sealed class SqliteJobStoreTests : JobStoreContractTests
{
    private readonly SqliteTestDatabase _files = new();

    protected override async ValueTask<IJobStore> CreateStoreAsync() => new SqliteJobStore(await _files.OpenAsync());

    protected override async ValueTask<IJobStore> OpenSecondStoreAsync() => new SqliteJobStore(await _files.OpenAsync());

    protected override ValueTask DisposeStoreAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
