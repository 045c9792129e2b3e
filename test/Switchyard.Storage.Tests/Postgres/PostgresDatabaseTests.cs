using System.Globalization;
using Npgsql;
using Switchyard.Storage.Postgres;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>Migrations, each test on an empty database of its own.</summary>
public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private readonly PostgresTestDatabase _server = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync() => _server.InitializeAsync();

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Fact]
    public void CurrentSchemaVersion_Always_EqualsScriptCount()
    {
        var scripts = PostgresMigrations.Scripts.Count;

        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, scripts);
    }

    [Fact]
    public async Task GetSchemaVersionAsync_BeforeMigration_ReturnsZero()
    {
        var database = _server.Create();

        Assert.Equal(0, await database.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_NewDatabase_ReachesCurrentVersion()
    {
        var database = await _server.OpenAsync();

        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_ScriptsApplyOnce()
    {
        var database = await _server.OpenAsync();

        await database.MigrateAsync(Ct);
        await database.MigrateAsync(Ct);

        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await ScalarAsync<long>("SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_SeveralNodesAtOnce_ApplyEachScriptOnce()
    {
        var nodes = Enumerable.Range(0, 4).Select(_ => _server.Create()).ToList();

        await Task.WhenAll(nodes.Select(node => Task.Run(() => node.MigrateAsync(Ct), Ct)));

        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await ScalarAsync<long>("SELECT COUNT(*) FROM schema_version;"));
        foreach (var node in nodes)
        {
            Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await node.GetSchemaVersionAsync(Ct));
        }
    }

    [Fact]
    public async Task MigrateAsync_NewDatabase_CreatesTablesAndIndexes()
    {
        await _server.OpenAsync();

        foreach (var name in new[] { "runs", "attempts", "api_keys", "server_secrets", "schema_version" })
        {
            Assert.Equal(1L, await ScalarAsync<long>($"SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public' AND tablename = '{name}';"));
        }

        foreach (var name in new[] { "ix_runs_started_at_id", "ix_runs_key_id", "ix_attempts_provider", "ix_attempts_model", "ix_attempts_error_class", "ix_attempts_skip_reason" })
        {
            Assert.Equal(1L, await ScalarAsync<long>($"SELECT COUNT(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = '{name}';"));
        }
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtVersion1WithData_AddsRunFactsWithDefaults()
    {
        await using (var connection = new NpgsqlConnection(_server.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand(
                "CREATE TABLE schema_version (version integer NOT NULL PRIMARY KEY, applied_at timestamptz NOT NULL);"
                + PostgresMigrations.Scripts[0]
                + """
                INSERT INTO schema_version (version, applied_at) VALUES (1, now());
                INSERT INTO runs (id, started_at, route, modality, requested_model, endpoint) VALUES ('run_1', now(), 'image', 'image', 'image', 'images.generations');
                INSERT INTO attempts (run_id, seq, tier, retry, provider, provider_type, status, started_at) VALUES ('run_1', 1, 0, 0, 'openai', 'openai', 'success', now());
                """,
                connection);
            await command.ExecuteNonQueryAsync(Ct);
        }

        var database = await _server.OpenAsync();

        var ledger = new PostgresLedger(database);
        var run = await ledger.GetRunAsync("run_1", Ct);
        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
        Assert.False(run!.CacheHit);
        Assert.Null(run.CostUsd);
        Assert.Null(run.JobId);
        Assert.Null(Assert.Single(await ledger.GetAttemptsAsync("run_1", Ct)).CostUsd);
        Assert.Equal(1L, await ScalarAsync<long>("SELECT COUNT(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'ix_runs_job_id';"));
    }

    [Fact]
    public async Task MigrateAsync_RecordsAppliedTimeFromClock()
    {
        await _server.OpenAsync();

        var appliedAt = await ScalarAsync<DateTime>("SELECT applied_at FROM schema_version WHERE version = 1;");

        Assert.Equal(StorageTestTime.Start, new DateTimeOffset(appliedAt, TimeSpan.Zero));
    }

    [Fact]
    public async Task MigrateAsync_NewerSchemaInDatabase_Throws()
    {
        var database = await _server.OpenAsync();
        await ScalarAsync<int>("INSERT INTO schema_version (version, applied_at) VALUES (999, now()); SELECT 0;");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.MigrateAsync(Ct));

        Assert.Contains("999", error.Message, StringComparison.Ordinal);
        Assert.Contains(_server.Name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_NewDatabase_ReturnsMigratedDatabase()
    {
        await using var database = await PostgresStorage.OpenAsync(_server.ConnectionString, _server.Time, Ct);

        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public async Task OpenAsync_UnreachableServer_ThrowsNpgsqlException()
    {
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => PostgresStorage.OpenAsync("postgres://nobody@127.0.0.1:1/none?timeout=2", _server.Time, Ct));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_server.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(Ct))!, typeof(T), CultureInfo.InvariantCulture);
    }
}
