using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Switchyard.Storage.Sqlite;

/// <summary>
/// One SQLite database file: opens its connections with the pragmas Switchyard relies on,
/// serializes writes within the process, and migrates the schema.
/// </summary>
public sealed class SqliteDatabase : IDisposable
{
    /// <summary>The schema version this build migrates to.</summary>
    public const int CurrentSchemaVersion = 8;

    /// <summary>How long a connection waits for another writer (for example another process) before failing.</summary>
    public const int BusyTimeoutMilliseconds = 5000;

    // journal_mode is a property of the file and is set once by MigrateAsync; these are per connection.
    private const string ConnectionPragmas = """
        PRAGMA busy_timeout = 5000;
        PRAGMA foreign_keys = ON;
        PRAGMA synchronous = NORMAL;
        """;

    /// <summary>
    /// The page size of a new file. The ledger appends rows of a few hundred bytes to four b-trees per request; with 16 KiB
    /// pages a batch touches a quarter of the pages it does with SQLite's 4 KiB default, and every page it touches is a
    /// WAL frame written and later checkpointed (system calls, not copying, dominate): bench/ledger (d) measured the
    /// store's CPU per request about an eighth lower. A file keeps the page size it was created with.
    /// </summary>
    public const int NewFilePageSize = 16384;

    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version INTEGER NOT NULL PRIMARY KEY,
            applied_at TEXT NOT NULL
        ) STRICT;
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    // SQLite has one writer at a time; queuing writers here keeps them off the busy handler.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    // The batch writers' connection, kept between batches; guarded by _writeLock.
    private SqliteHeldWriter? _held;

    /// <summary>Creates a database for the file at <paramref name="path"/>, creating its folder when missing. Call <see cref="MigrateAsync"/> before use.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="time">The clock used for migration timestamps.</param>
    public SqliteDatabase(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(time);

        FilePath = Path.GetFullPath(path);
        _time = time;
        var folder = Path.GetDirectoryName(FilePath);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>The full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>Applies every migration not yet applied, each once and in its own transaction, and switches the file to WAL.</summary>
    /// <exception cref="InvalidOperationException">The file has a newer schema than this build knows.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

            // Takes effect only while the file is still empty (before WAL and the first table); a no-op afterwards.
            await ExecuteAsync(connection, null, $"PRAGMA page_size = {NewFilePageSize};", cancellationToken).ConfigureAwait(false);
            await EnableWalAsync(connection, cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, CreateVersionTable, cancellationToken).ConfigureAwait(false);

            var scripts = SqliteMigrations.Scripts;
            for (var version = 1; version <= scripts.Count; version++)
            {
                // IMMEDIATE takes the write lock up front, so two processes migrating at once
                // re-read the version under the lock and apply each script exactly once.
                using var transaction = connection.BeginTransaction(deferred: false);
                var current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (current > CurrentSchemaVersion)
                {
                    throw new InvalidOperationException(
                        $"The database '{FilePath}' has schema version {current}, newer than this build's {CurrentSchemaVersion}. Upgrade Switchyard.");
                }

                if (current >= version)
                {
                    continue;
                }

                await ExecuteAsync(connection, transaction, scripts[version - 1], cancellationToken).ConfigureAwait(false);
                using (var record = connection.CreateCommand())
                {
                    record.Transaction = transaction;
                    record.CommandText = "INSERT INTO schema_version (version, applied_at) VALUES (@version, @applied_at);";
                    record.Parameters.AddWithValue("@version", version);
                    record.Parameters.AddWithValue("@applied_at", SqliteTime.ToText(_time.GetUtcNow()));
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>The schema version of the file: 0 before the first migration.</summary>
    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Releases the pooled connections to the file.</summary>
    public void Dispose()
    {
        _held?.Dispose();
        _held = null;
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        _writeLock.Dispose();
    }

    /// <summary>Opens a connection with the per-connection pragmas applied.</summary>
    internal async Task<SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, null, ConnectionPragmas, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="write"/> on a fresh connection while holding the process's write lock.</summary>
    internal async Task<T> WriteAsync<T>(Func<SqliteConnection, CancellationToken, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return await write(connection, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// Runs <paramref name="write"/> on the held writer connection (opened on first use, then kept with its prepared
    /// statements) while holding the process's write lock. When <paramref name="write"/> throws, the connection and its
    /// statements are discarded, so the next write starts from a fresh connection.
    /// </summary>
    internal async Task<T> WriteHeldAsync<T>(Func<SqliteHeldWriter, CancellationToken, T> write, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _held ??= SqliteHeldWriter.Open(FilePath, ConnectionPragmas);
            try
            {
                return write(_held, cancellationToken);
            }
            catch
            {
                _held.Dispose();
                _held = null;
                throw;
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private static async Task EnableWalAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode = WAL;";
        var mode = Convert.ToString(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The database '{connection.DataSource}' could not switch to WAL journal mode (it is '{mode}').");
        }
    }

    private static async Task<int> ReadVersionAsync(SqliteConnection connection, SqliteTransaction? transaction, CancellationToken cancellationToken)
    {
        // SQLite resolves table names when it prepares a statement, so the table's existence is checked first.
        using var exists = connection.CreateCommand();
        exists.Transaction = transaction;
        exists.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version';";
        if (Convert.ToInt64(await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return Convert.ToInt32(value, CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
