namespace Switchyard.Storage.Postgres;

/// <summary>Opens Switchyard's PostgreSQL storage.</summary>
public static class PostgresStorage
{
    /// <summary>Connects to the database named by <paramref name="connection"/> and migrates it to <see cref="PostgresDatabase.CurrentSchemaVersion"/>.</summary>
    /// <param name="connection">A <c>postgres://user:password@host:port/database</c> URL or an Npgsql keyword connection string.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>The migrated database, ready for <see cref="PostgresLedger"/> and <see cref="PostgresKeyStore"/>.</returns>
    public static async Task<PostgresDatabase> OpenAsync(string connection, TimeProvider time, CancellationToken cancellationToken)
    {
        var database = new PostgresDatabase(connection, time);
        try
        {
            await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return database;
        }
        catch
        {
            await database.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
