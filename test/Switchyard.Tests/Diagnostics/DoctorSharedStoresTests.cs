using Npgsql;
using Switchyard.Diagnostics;
using Switchyard.Tests.Common.Servers;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Diagnostics;

/// <summary>Doctor on the multi-node stores: PostgreSQL reachable and its schema, Redis reachable, several nodes without Redis.</summary>
public sealed class DoctorSharedStoresTests : IAsyncLifetime
{
    private readonly TestPostgres _postgres = new();
    private string _dir = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _postgres.InitializeAsync();
        _dir = Directory.CreateTempSubdirectory("switchyard-doctor-shared-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await _postgres.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<IReadOnlyList<DoctorCheck>> DoctorAsync(string database, string redis = "")
    {
        var path = Path.Combine(_dir, "switchyard.yaml");
        await File.WriteAllTextAsync(path, $$"""
            storage:
              database: "{{database}}"
              artifacts: file:{{Path.Combine(_dir, "artifacts")}}
              redis: "{{redis}}"
            providers:
              sandbox: { type: sandbox }
            routes:
              image:
                modality: image
                chain: [ { provider: sandbox } ]
            """, Ct);
        return await new Doctor(_ => null, TimeProvider.System, TimeSpan.FromSeconds(5)).RunAsync(path, Ct);
    }

    [Fact]
    public async Task Postgres_Reachable_OkWithSchemaVersionAndNoPassword()
    {
        var checks = await DoctorAsync(_postgres.Url);

        var database = Assert.Single(checks, c => c.Area == "database");
        Assert.Equal(CheckStatus.Warn, database.Status); // never migrated yet
        Assert.Contains("schema version 0", database.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain(checks, c => c.Area == "redis");
    }

    [Fact]
    public async Task Postgres_Down_FailNamingHostAndPort()
    {
        var checks = await DoctorAsync("postgres://switchyard:planted-pg-password@127.0.0.1:1/switchyard");

        var database = Assert.Single(checks, c => c.Area == "database");
        Assert.Equal(CheckStatus.Fail, database.Status);
        Assert.Equal("127.0.0.1:1/switchyard", database.Subject);
        Assert.Contains("cannot be reached", database.Cause, StringComparison.Ordinal);
        Assert.DoesNotContain(checks, c => (c.Subject + c.Cause + c.Fix).Contains("planted-pg-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SeveralNodesOnPostgres_WithoutRedis_Warn_WithRedis_RedisOk()
    {
        // Two other "nodes": connections that name themselves as switchyard processes do.
        await using var nodeA = await OpenAsNodeAsync("switchyard/host-a/100");
        await using var nodeB = await OpenAsNodeAsync("switchyard/host-b/200");

        var without = await DoctorAsync(_postgres.Url);
        var warning = Assert.Single(without, c => c.Area == "redis");
        Assert.Equal(CheckStatus.Warn, warning.Status);
        Assert.StartsWith("2 switchyard nodes share this database without Redis", warning.Cause, StringComparison.Ordinal);

        var with = await DoctorAsync(_postgres.Url, await RedisServer.GetUrlAsync());
        var redis = Assert.Single(with, c => c.Area == "redis");
        Assert.Equal(CheckStatus.Ok, redis.Status);
        Assert.StartsWith("reachable, read and write work", redis.Cause, StringComparison.Ordinal);
    }

    private async Task<NpgsqlConnection> OpenAsNodeAsync(string applicationName)
    {
        var url = new Uri(_postgres.Url);
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Username = Uri.UnescapeDataString(url.UserInfo.Split(':')[0]),
            Database = url.AbsolutePath.Trim('/'),
            ApplicationName = applicationName,
            Pooling = false,
        };
        var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(Ct);
        return connection;
    }
}
