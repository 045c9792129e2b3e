namespace Switchyard.Storage.Sqlite;

/// <summary>Opens Switchyard's SQLite storage.</summary>
public static class SqliteStorage
{
    /// <summary>Opens (creating when missing) the database file at <paramref name="path"/> and migrates it to <see cref="SqliteDatabase.CurrentSchemaVersion"/>.</summary>
    /// <param name="path">The database file, e.g. <c>data/switchyard.db</c>.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancels the migration.</param>
    /// <returns>The migrated database, ready for <see cref="SqliteLedger"/> and <see cref="SqliteKeyStore"/>.</returns>
    public static async Task<SqliteDatabase> OpenAsync(string path, TimeProvider time, CancellationToken cancellationToken)
    {
        var database = new SqliteDatabase(path, time);
        try
        {
            await database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            return database;
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }
}
