using Switchyard.Storage.Sqlite;

namespace Switchyard.Storage.Tests.Sqlite;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly SqliteTestDatabase _files = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _files.Dispose();

    [Fact]
    public void CurrentSchemaVersion_Always_EqualsScriptCount()
    {
        var scripts = SqliteMigrations.Scripts.Count;

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, scripts);
    }

    [Fact]
    public void Constructor_MissingParentFolder_CreatesIt()
    {
        Assert.False(Directory.Exists(Path.GetDirectoryName(_files.FilePath)));

        var database = _files.Create();

        Assert.True(Directory.Exists(Path.GetDirectoryName(_files.FilePath)));
        Assert.Equal(_files.FilePath, database.FilePath);
    }

    [Fact]
    public async Task GetSchemaVersionAsync_BeforeMigration_ReturnsZero()
    {
        var database = _files.Create();

        Assert.Equal(0, await database.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_NewFile_ReachesCurrentVersion()
    {
        var database = await _files.OpenAsync();

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_VersionStaysAndScriptsApplyOnce()
    {
        var database = await _files.OpenAsync();

        await database.MigrateAsync(Ct);
        await database.MigrateAsync(Ct);

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await ScalarAsync<long>(database, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_SecondInstanceOnSameFile_KeepsVersion()
    {
        await _files.OpenAsync();

        var second = await _files.OpenAsync();

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await second.GetSchemaVersionAsync(Ct));
        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await ScalarAsync<long>(second, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_TwoInstancesAtOnce_ApplyEachScriptOnce()
    {
        var first = _files.Create();
        var second = _files.Create();

        await Task.WhenAll(
            Task.Run(() => first.MigrateAsync(Ct), Ct),
            Task.Run(() => second.MigrateAsync(Ct), Ct));

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await ScalarAsync<long>(first, "SELECT COUNT(*) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_NewFile_CreatesTablesAndIndexes()
    {
        var database = await _files.OpenAsync();

        foreach (var name in new[]
        {
            "runs", "attempts", "attempt_rows", "api_keys", "server_secrets", "schema_version", "ix_runs_started_at_id", "ix_runs_key_id",
            "ix_attempts_error_class", "ix_attempts_skip_reason",
        })
        {
            Assert.Equal(1L, await ScalarAsync<long>(database, $"SELECT COUNT(*) FROM sqlite_master WHERE name = '{name}';"));
        }

        // Replaced (v2) or dropped (v7: written by every request, read only by two list filters).
        foreach (var name in new[] { "ix_runs_started_at", "ix_attempts_provider", "ix_attempts_model" })
        {
            Assert.Equal(0L, await ScalarAsync<long>(database, $"SELECT COUNT(*) FROM sqlite_master WHERE name = '{name}';"));
        }
    }

    [Fact]
    public async Task MigrateAsync_NewFile_Uses16KiBPages()
    {
        var database = await _files.OpenAsync();

        Assert.Equal(SqliteDatabase.NewFilePageSize, await ScalarAsync<long>(database, "PRAGMA page_size;"));
        Assert.Equal(16384, SqliteDatabase.NewFilePageSize);
    }

    [Fact]
    public async Task MigrateAsync_FileMadeWith4KiBPages_KeepsThemAndItsData()
    {
        var database = _files.Create();
        await using (var connection = await database.OpenConnectionAsync(Ct))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA page_size = 4096; PRAGMA journal_mode = WAL; CREATE TABLE kept (v TEXT NOT NULL); INSERT INTO kept VALUES ('before');";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        Assert.Equal(4096L, await ScalarAsync<long>(database, "PRAGMA page_size;"));
        Assert.Equal("before", await ScalarAsync<string>(database, "SELECT v FROM kept;"));
        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
    }

    [Fact]
    public async Task MigrateAsync_FileAtVersion1WithData_UpgradesAndKeepsData()
    {
        var database = _files.Create();
        await using (var connection = await database.OpenConnectionAsync(Ct))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;
                """ + SqliteMigrations.Scripts[0] + """
                INSERT INTO schema_version (version, applied_at) VALUES (1, '2026-01-01T00:00:00.0000000Z');
                INSERT INTO runs (id, started_at, route, modality, requested_model, endpoint) VALUES ('run_1', '2026-01-01T00:00:00.0000000Z', 'image', 'image', 'image', 'images.generations');
                INSERT INTO attempts (run_id, seq, tier, retry, provider, provider_type, status, started_at) VALUES ('run_1', 1, 0, 0, 'openai', 'openai', 'success', '2026-01-01T00:00:00.0000000Z');
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
        var ledger = new SqliteLedger(database);
        Assert.Equal(["run_1"], (await ledger.ListRunsAsync(new Switchyard.Ledger.RunQuery { Provider = "openai" }, Ct)).Select(r => r.Id));
    }

    [Fact]
    public async Task MigrateAsync_FileAtVersion2WithData_AddsRunFactsWithDefaults()
    {
        var database = _files.Create();
        await using (var connection = await database.OpenConnectionAsync(Ct))
        {
            using var command = connection.CreateCommand();
            command.CommandText = """
                CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;
                """ + SqliteMigrations.Scripts[0] + SqliteMigrations.Scripts[1] + """
                INSERT INTO schema_version (version, applied_at) VALUES (1, '2026-01-01T00:00:00.0000000Z'), (2, '2026-01-01T00:00:00.0000000Z');
                INSERT INTO runs (id, started_at, route, modality, requested_model, endpoint) VALUES ('run_1', '2026-01-01T00:00:00.0000000Z', 'image', 'image', 'image', 'images.generations');
                INSERT INTO attempts (run_id, seq, tier, retry, provider, provider_type, status, started_at) VALUES ('run_1', 1, 0, 0, 'openai', 'openai', 'success', '2026-01-01T00:00:00.0000000Z');
                """;
            await command.ExecuteNonQueryAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        var ledger = new SqliteLedger(database);
        var run = await ledger.GetRunAsync("run_1", Ct);
        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
        Assert.False(run!.CacheHit);
        Assert.Null(run.CostUsd);
        Assert.Null(run.TraceId);
        Assert.Null(Assert.Single(await ledger.GetAttemptsAsync("run_1", Ct)).CostUsd);
    }

    [Fact]
    public async Task MigrateAsync_KeyFromBeforeKeyLimits_ReadsBackWithoutLimitsAndCanBeRotated()
    {
        var database = _files.Create();
        var previous = SqliteMigrations.Scripts.Count - 1;
        await using (var connection = await database.OpenConnectionAsync(Ct))
        {
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL) STRICT;"
                + string.Concat(SqliteMigrations.Scripts.Take(previous))
                + string.Concat(Enumerable.Range(1, previous).Select(v => $"INSERT INTO schema_version (version, applied_at) VALUES ({v}, '2026-01-01T00:00:00.0000000Z');"))
                + "INSERT INTO api_keys (id, name, prefix, hash, is_admin, created_at) VALUES ('key_old', 'old', 'OLDPREFIX001', x'01', 0, '2026-01-01T00:00:00.0000000Z');";
            await command.ExecuteNonQueryAsync(Ct);
        }

        await database.MigrateAsync(Ct);

        var keys = new SqliteKeyStore(database);
        var key = await keys.FindByPrefixAsync("OLDPREFIX001", Ct);
        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
        Assert.True(key!.Limits.IsUnlimited);
        Assert.True(await keys.RotateAsync("key_old", "NEWPREFIX001", [2], SqliteTestDatabase.Start.AddHours(1), Ct));
        Assert.Equal("key_old", (await keys.FindByPrefixAsync("OLDPREFIX001", Ct))!.Id);
    }

    [Fact]
    public async Task MigrateAsync_RecordsAppliedTimeFromClock()
    {
        var database = await _files.OpenAsync();

        var appliedAt = await ScalarAsync<string>(database, "SELECT applied_at FROM schema_version WHERE version = 1;");

        Assert.Equal(SqliteTestDatabase.Start, SqliteTime.Parse(appliedAt));
    }

    [Theory]
    [InlineData("2026-01-01T00:00:00.0000000+00:00")]
    [InlineData("2026-12-02T13:45:07.1234567+00:00")]
    [InlineData("0001-01-01T00:00:00.0000001+00:00")]
    [InlineData("9999-12-31T23:59:59.9999999+00:00")]
    [InlineData("2026-06-30T23:30:00.5000000-05:30")]
    public void SqliteTime_Formats_ExactlyTheStoredFormAndReadsBack(string instant)
    {
        var time = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);
        var stored = time.UtcDateTime.ToString(SqliteTime.Format, System.Globalization.CultureInfo.InvariantCulture);
        Span<byte> utf8 = stackalloc byte[32];

        Assert.Equal(stored, SqliteTime.ToText(time));
        Assert.True(SqliteTime.TryFormat(time, utf8, out var written));
        Assert.Equal(stored, System.Text.Encoding.UTF8.GetString(utf8[..written]));
        Assert.Equal(time, SqliteTime.Parse(stored));
    }

    [Fact]
    public async Task MigrateAsync_NewerSchemaOnFile_Throws()
    {
        var database = await _files.OpenAsync();
        await ScalarAsync<long>(database, "INSERT INTO schema_version (version, applied_at) VALUES (999, 'x'); SELECT 0;");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.MigrateAsync(Ct));

        Assert.Contains("999", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_NewFile_SwitchesToWal()
    {
        var database = await _files.OpenAsync();

        Assert.Equal("wal", await ScalarAsync<string>(database, "PRAGMA journal_mode;"));
    }

    [Fact]
    public async Task OpenConnectionAsync_Always_AppliesConnectionPragmas()
    {
        var database = await _files.OpenAsync();

        Assert.Equal(SqliteDatabase.BusyTimeoutMilliseconds, await ScalarAsync<long>(database, "PRAGMA busy_timeout;"));
        Assert.Equal(1L, await ScalarAsync<long>(database, "PRAGMA foreign_keys;"));
        Assert.Equal(1L, await ScalarAsync<long>(database, "PRAGMA synchronous;")); // 1 = NORMAL
    }

    [Fact]
    public async Task OpenAsync_NewFile_ReturnsMigratedDatabase()
    {
        using var database = await SqliteStorage.OpenAsync(_files.FilePath, _files.Time, Ct);

        Assert.Equal(SqliteDatabase.CurrentSchemaVersion, await database.GetSchemaVersionAsync(Ct));
        Assert.True(File.Exists(_files.FilePath));
    }

    private static async Task<T> ScalarAsync<T>(SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync(Ct);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)(await command.ExecuteScalarAsync(Ct))!;
    }
}
