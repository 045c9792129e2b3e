using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Hosting;

/// <summary>Brings the database (SQLite or PostgreSQL) to the current schema before the first request, and says which it is without secrets.</summary>
internal sealed class StorageBootstrap
{
    private readonly Func<CancellationToken, Task> _migrate;
    private readonly Func<CancellationToken, Task<int>> _version;

    private StorageBootstrap(Func<CancellationToken, Task> migrate, Func<CancellationToken, Task<int>> version, string description)
    {
        _migrate = migrate;
        _version = version;
        Description = description;
    }

    /// <summary>The database, e.g. <c>sqlite:/srv/data/switchyard.db</c> or <c>postgres://db:5432/switchyard</c>: never the user or password.</summary>
    public string Description { get; }

    public static StorageBootstrap For(SqliteDatabase database) =>
        new(database.MigrateAsync, database.GetSchemaVersionAsync, "sqlite:" + database.FilePath);

    public static StorageBootstrap For(PostgresDatabase database) =>
        new(database.MigrateAsync, database.GetSchemaVersionAsync, "postgres://" + database.Description);

    /// <summary>Applies the migrations not yet applied.</summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _migrate(cancellationToken);

    /// <summary>The schema version the database is at.</summary>
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) => _version(cancellationToken);
}
