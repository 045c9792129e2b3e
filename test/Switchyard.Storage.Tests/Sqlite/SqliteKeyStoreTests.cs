using Switchyard.Keys;
using Switchyard.Storage.Sqlite;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>The key store contract on a SQLite file; a second store is a second process on the same file.</summary>
public sealed class SqliteKeyStoreTests : KeyStoreContractTests
{
    private readonly SqliteTestDatabase _files = new();

    protected override async ValueTask<IKeyStore> CreateStoreAsync() => new SqliteKeyStore(await _files.OpenAsync());

    protected override async ValueTask<IKeyStore> OpenSecondStoreAsync() => new SqliteKeyStore(await _files.OpenAsync());

    protected override ValueTask DisposeStoreAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
