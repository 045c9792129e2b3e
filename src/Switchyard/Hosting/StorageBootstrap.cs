using Switchyard.Storage.Sqlite;

namespace Switchyard.Hosting;

/// <summary>Brings the database to the current schema before the first request.</summary>
internal sealed class StorageBootstrap
{
    private readonly SqliteDatabase _database;

    public StorageBootstrap(SqliteDatabase database)
    {
        _database = database;
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => _database.MigrateAsync(cancellationToken);
}
