using Switchyard.Keys;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>The key store contract on PostgreSQL; the class has a database of its own, emptied before each test; a second store is a second node.</summary>
public sealed class PostgresKeyStoreTests(PostgresTestDatabase database) : KeyStoreContractTests, IClassFixture<PostgresTestDatabase>
{
    protected override async ValueTask<IKeyStore> CreateStoreAsync()
    {
        var opened = await database.OpenAsync();
        await database.ResetAsync();
        return new PostgresKeyStore(opened);
    }

    protected override async ValueTask<IKeyStore> OpenSecondStoreAsync() => new PostgresKeyStore(await database.OpenAsync());

    protected override async ValueTask DisposeStoreAsync() => await database.CloseOpenedAsync();
}
