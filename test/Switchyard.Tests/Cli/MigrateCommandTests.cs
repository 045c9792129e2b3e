using Switchyard.Cli;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;
using Switchyard.Tests.EndToEnd;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Cli;

/// <summary><c>switchyard migrate</c>, in-process with captured output and as the real executable.</summary>
public sealed class MigrateCommandTests : IClassFixture<TestPostgres>, IDisposable
{
    private const string Routes = """
        providers:
          placeholder:
            type: placeholder
        routes:
          image:
            modality: image
            chain:
              - { provider: placeholder }
        """;

    private readonly TestPostgres _postgres;
    private readonly string _folder = Directory.CreateTempSubdirectory("switchyard-migrate-").FullName;

    public MigrateCommandTests(TestPostgres postgres)
    {
        _postgres = postgres;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // SQLite may hold the file a moment longer; temp is cleaned by the OS.
        }
    }

    [Fact]
    public async Task MigrateAsync_NewSqliteFile_CreatesItAndPrintsTheVersion()
    {
        var database = Path.Combine(_folder, "data", "switchyard.db");
        var config = WriteConfig($"sqlite:{database}");
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await MigrateCommand.MigrateAsync(config, output, error, Ct);

        Assert.True(exit == 0, error.ToString());
        Assert.Equal($"schema version {SqliteDatabase.CurrentSchemaVersion} (database: sqlite:{database})", output.ToString().Trim());
        Assert.True(File.Exists(database));
    }

    [Fact]
    public async Task MigrateAsync_Twice_SameVersion()
    {
        var config = WriteConfig($"sqlite:{Path.Combine(_folder, "twice.db")}");

        Assert.Equal(0, await MigrateCommand.MigrateAsync(config, TextWriter.Null, TextWriter.Null, Ct));
        var output = new StringWriter();
        Assert.Equal(0, await MigrateCommand.MigrateAsync(config, output, TextWriter.Null, Ct));

        Assert.StartsWith($"schema version {SqliteDatabase.CurrentSchemaVersion} ", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_Postgres_PrintsVersionAndDatabaseWithoutPassword()
    {
        var url = new UriBuilder(new Uri(_postgres.Url)) { UserName = "postgres", Password = "not-printed-secret" }.Uri.ToString();
        var (output, error) = (new StringWriter(), new StringWriter());

        // The test server trusts local connections, so the password is sent but not checked.
        var exit = await MigrateCommand.MigrateAsync(WriteConfig(url), output, error, Ct);

        Assert.True(exit == 0, error.ToString());
        Assert.Matches($@"^schema version {PostgresDatabase.CurrentSchemaVersion} \(database: postgres://127\.0\.0\.1:\d+/{_postgres.Name}\)$", output.ToString().Trim());
        Assert.DoesNotContain("not-printed-secret", output.ToString() + error, StringComparison.Ordinal);
        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await _postgres.ScalarAsync<int>("SELECT MAX(version) FROM schema_version;"));
    }

    [Fact]
    public async Task MigrateAsync_InvalidConfig_ExitsTwoAndNamesTheProblem()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await MigrateCommand.MigrateAsync(WriteConfig("mysql://user:hunter2@db/x"), output, error, Ct);

        Assert.Equal(2, exit);
        Assert.Contains("storage.database", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());
    }

    [Fact]
    public async Task MigrateAsync_UnreachablePostgres_ExitsOneWithoutPassword()
    {
        var (output, error) = (new StringWriter(), new StringWriter());

        var exit = await MigrateCommand.MigrateAsync(WriteConfig("postgres://u:hunter2@127.0.0.1:1/nothing?timeout=2"), output, error, Ct);

        Assert.Equal(1, exit);
        Assert.Contains("postgres://127.0.0.1:1/nothing", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Executable_Migrate_ExitsZeroAndPrintsTheVersion()
    {
        var database = Path.Combine(_folder, "process.db");
        var config = WriteConfig($"sqlite:{database}");

        var result = await GatewayProcess.RunCommandToExitAsync(["migrate", "--config", config], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.Stderr);
        Assert.Equal($"schema version {SqliteDatabase.CurrentSchemaVersion} (database: sqlite:{database})", result.Stdout.Trim());
    }

    [Fact]
    public async Task Executable_MigrateWithBadConfig_ExitsTwo()
    {
        var result = await GatewayProcess.RunCommandToExitAsync(["migrate", "--config", WriteConfig("sqlite:")], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("storage.database", result.Stderr, StringComparison.Ordinal);
    }

    private string WriteConfig(string database)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".yaml");
        File.WriteAllText(path, $"storage:\n  database: \"{database}\"\n  artifacts: file:{Path.Combine(_folder, "artifacts")}\n{Routes}\n");
        return path;
    }
}
