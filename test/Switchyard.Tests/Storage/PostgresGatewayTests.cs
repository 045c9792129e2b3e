using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Hosting;
using Switchyard.Ledger;
using Switchyard.Storage.Postgres;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Storage;

/// <summary>The gateway in-process on PostgreSQL: migrated at start-up, runs recorded and read back at once.</summary>
public sealed class PostgresGatewayTests : IClassFixture<TestPostgres>, IAsyncLifetime
{
    private readonly TestPostgres _database;
    private GatewayFactory _factory = null!;

    public PostgresGatewayTests(TestPostgres database)
    {
        _database = database;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ValueTask InitializeAsync()
    {
        _factory = new GatewayFactory(GatewayFactory.DefaultYaml, database: _database.Url);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task Chat_OnPostgres_RunIsFoundAtOnceByItsId()
    {
        var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hello from postgres" } } }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var runId = Assert.Single(response.Headers.GetValues("x-switchyard-run-id"));

        using var run = await client.GetAsync(new Uri($"/v1/runs/{runId}", UriKind.Relative), Ct);
        Assert.Equal(HttpStatusCode.OK, run.StatusCode);
        var body = JsonDocument.Parse(await run.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal(runId, body.GetProperty("id").GetString());
        Assert.Equal("text", body.GetProperty("route").GetString());
        Assert.True(body.GetProperty("attempts").GetArrayLength() >= 1);

        Assert.Equal(1L, await _database.ScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE id = @id AND outcome IS NOT NULL;", ("id", runId)));
        Assert.Equal(PostgresDatabase.CurrentSchemaVersion, await _database.ScalarAsync<int>("SELECT MAX(version) FROM schema_version;"));
    }

    [Fact]
    public void Services_OnPostgres_AreThePostgresStoresBehindTheBufferedLedger()
    {
        var services = _factory.Services;

        Assert.IsType<BufferedLedger>(services.GetRequiredService<ILedger>());
        Assert.IsType<PostgresLedger>(services.GetRequiredService<BufferedLedger>().Store);
        Assert.IsType<PostgresKeyStore>(Assert.IsType<Switchyard.Keys.CachingKeyStore>(services.GetRequiredService<Switchyard.Keys.IKeyStore>()).Inner);
        Assert.StartsWith("postgres://127.0.0.1:", services.GetRequiredService<StorageBootstrap>().Description, StringComparison.Ordinal);
    }
}
