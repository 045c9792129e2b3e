using Switchyard.Jobs;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>The job store contract on PostgreSQL; the class has a database of its own, emptied before each test; a second store is a second node.</summary>
public sealed class PostgresJobStoreTests(PostgresTestDatabase database) : JobStoreContractTests, IClassFixture<PostgresTestDatabase>
{
    protected override async ValueTask<IJobStore> CreateStoreAsync()
    {
        var opened = await database.OpenAsync();
        await database.ResetAsync();
        return new PostgresJobStore(opened);
    }

    protected override async ValueTask<IJobStore> OpenSecondStoreAsync() => new PostgresJobStore(await database.OpenAsync());

    protected override async ValueTask DisposeStoreAsync() => await database.CloseOpenedAsync();
}
