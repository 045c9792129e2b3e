using System.Globalization;
using Npgsql;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// One PostgreSQL database shared by any number of Switchyard nodes: pools its connections and
/// migrates the schema, each version once even when several nodes start together.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>The schema version this build migrates to.</summary>
    public const int CurrentSchemaVersion = 5;

    // The key of the transaction-scoped advisory lock that serializes migrations across nodes
    // ("Switchyd" in ASCII). Advisory locks are per database, so other databases are not held up.
    private const long MigrationLockKey = 0x5377_6974_6368_7964;

    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS schema_version (
            version integer NOT NULL PRIMARY KEY,
            applied_at timestamptz NOT NULL
        );
        """;

    private const string NodePrefix = "switchyard/";

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _applicationName;
    private readonly TimeProvider _time;

    /// <summary>Creates a database for <paramref name="connection"/>. Call <see cref="MigrateAsync"/> before use.</summary>
    /// <param name="connection">A <c>postgres://user:password@host:port/database</c> URL (query parameters are Npgsql keywords, e.g. <c>?sslmode=require</c>) or an Npgsql keyword connection string.</param>
    /// <param name="time">The clock used for migration timestamps.</param>
    /// <exception cref="ArgumentException">The connection text is malformed.</exception>
    public PostgresDatabase(string connection, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connection);
        ArgumentNullException.ThrowIfNull(time);

        var builder = PostgresConnectionString.Parse(connection);
        Description = PostgresConnectionString.Describe(builder);

        // Names this process in pg_stat_activity, so doctor can tell how many nodes share the database.
        builder.ApplicationName ??= NodeName;
        _applicationName = builder.ApplicationName;
        _time = time;
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>This process's <c>application_name</c> on its connections: <c>switchyard/host/pid</c>.</summary>
    public static string NodeName { get; } = Truncate($"{NodePrefix}{Environment.MachineName}/{Environment.ProcessId}", 63);

    /// <summary>
    /// How many other Switchyard processes have a connection open to this database now (their
    /// <c>application_name</c> in <c>pg_stat_activity</c>), not counting this one.
    /// </summary>
    public async Task<int> CountOtherNodesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT count(DISTINCT application_name) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE @prefix AND application_name <> @self;",
            connection);
        command.Parameters.AddWithValue("prefix", NodePrefix + "%");
        command.Parameters.AddWithValue("self", _applicationName);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    /// <summary>Host, port and database (never the user or password), for messages and <c>doctor</c>.</summary>
    public string Description { get; }

    /// <summary>
    /// Applies every migration not yet applied, each in its own transaction that first takes an advisory lock,
    /// so nodes migrating at once apply each script exactly once.
    /// </summary>
    /// <exception cref="InvalidOperationException">The database has a newer schema than this build knows.</exception>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // The version table is created under the lock as well: two concurrent CREATE TABLE IF NOT EXISTS can collide.
        await using (var transaction = await BeginLockedAsync(connection, cancellationToken).ConfigureAwait(false))
        {
            await ExecuteAsync(connection, transaction, CreateVersionTable, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        var scripts = PostgresMigrations.Scripts;
        for (var version = 1; version <= scripts.Count; version++)
        {
            await using var transaction = await BeginLockedAsync(connection, cancellationToken).ConfigureAwait(false);
            var current = await ReadVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
            if (current > CurrentSchemaVersion)
            {
                throw new InvalidOperationException(
                    $"The database '{Description}' has schema version {current}, newer than this build's {CurrentSchemaVersion}. Upgrade Switchyard.");
            }

            if (current >= version)
            {
                continue;
            }

            await ExecuteAsync(connection, transaction, scripts[version - 1], cancellationToken).ConfigureAwait(false);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_version (version, applied_at) VALUES (@version, @applied_at);", connection, transaction))
            {
                record.BindInt("version", version);
                record.BindTime("applied_at", _time.GetUtcNow());
                await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The schema version of the database: 0 before the first migration.</summary>
    public async Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadVersionAsync(connection, null, cancellationToken).ConfigureAwait(false);
    }

    private static string Truncate(string text, int length) => text.Length > length ? text[..length] : text;

    /// <summary>Closes the pooled connections.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Closes the pooled connections.</summary>
    public void Dispose() => _dataSource.Dispose();

    /// <summary>Opens a pooled connection.</summary>
    internal async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    private static async Task<NpgsqlTransaction> BeginLockedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@key);", connection, transaction);
            command.BindLong("key", MigrationLockKey);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return transaction;
        }
        catch
        {
            await transaction.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static async Task<int> ReadVersionAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        // to_regclass is NULL before the first migration, and reading it does not fail inside a transaction.
        await using var command = new NpgsqlCommand(
            "SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END;", connection, transaction);
        if (Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) == 0)
        {
            return 0;
        }

        await using var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection, transaction);
        return Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
