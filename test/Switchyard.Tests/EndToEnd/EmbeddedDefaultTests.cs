using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchyard.Tests.EndToEnd;

/// <summary>The README's start command: `serve` with no config on a fresh folder, then a restart on the same data.</summary>
public sealed partial class EmbeddedDefaultTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_NoConfigFreshFolder_PrintsAdminKeyOnceStoresDataUnderDataAndServes()
    {
        var folder = GatewayProcess.NewFolder();
        try
        {
            string key;
            await using (var first = new GatewayProcess(config: null, adminKey: null, folder))
            {
                await first.InitializeAsync();
                var printed = AdminKeyLine().Matches(first.Stdout);
                key = Assert.Single(printed).Groups[1].Value;
                Assert.Contains("switchyard ready on http://127.0.0.1:", first.Stdout, StringComparison.Ordinal);

                using var client = first.CreateHttpClient(key);
                using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a lighthouse [fail:unavailable@sandbox-a]", size = "256x256" }, Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("sandbox-b", response.Headers.GetValues("x-switchyard-provider").Single());
                Assert.True(File.Exists(Path.Combine(folder, "data", "switchyard.db")));
                Assert.True(Directory.Exists(Path.Combine(folder, "data", "artifacts")));

                // The key is stored hashed: its text is nowhere in the database file.
                var database = await File.ReadAllBytesAsync(Path.Combine(folder, "data", "switchyard.db"), Ct);
                Assert.DoesNotContain(key, System.Text.Encoding.UTF8.GetString(database), StringComparison.Ordinal);

                using var unauthorized = await first.CreateHttpClient("sy_AAAAAAAAAAAA_BBBBBBBBBBBBBBBBBBBBBBBB").GetAsync("/v1/models", Ct);
                Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
            }

            await using var second = new GatewayProcess(config: null, adminKey: null, folder);
            await second.InitializeAsync();
            Assert.Empty(AdminKeyLine().Matches(second.Stdout));
            using var again = second.CreateHttpClient(key);
            var models = await again.GetFromJsonAsync<JsonElement>("/v1/models", Ct);
            Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "speech");
        }
        finally
        {
            GatewayProcess.RemoveFolder(folder);
        }
    }

    [Fact]
    public async Task Serve_SingleNodeSqlite_LoadsNoneOfTheAssembliesItDoesNotUse()
    {
        // Memory is budgeted (issue #10): a single node on SQLite must not map the Redis client, the PostgreSQL store,
        // the CLI's table renderer, IIS or HTTP/3 support, or the XML stack of the dashboard's data protection keys.
        var folder = GatewayProcess.NewFolder();
        try
        {
            await using var gateway = new GatewayProcess(config: null, adminKey: GatewayProcess.NewKey(), folder);
            await gateway.InitializeAsync();
            using var client = gateway.CreateHttpClient(gateway.AdminKey);
            using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hello" } } }, Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);

            var maps = await File.ReadAllTextAsync($"/proc/{gateway.Process!.Id}/maps", Ct);
            Assert.Contains("/switchyard.dll", maps, StringComparison.Ordinal);
            Assert.Contains("/Microsoft.Data.Sqlite.dll", maps, StringComparison.Ordinal);
            string[] unused =
            [
                "StackExchange.Redis.dll", "Switchyard.Redis.dll", "Switchyard.Storage.Postgres.dll", "Npgsql.dll", "Spectre.Console.dll",
                "System.Private.Xml.dll", "Microsoft.AspNetCore.Server.IIS.dll", "System.Net.Quic.dll",
            ];
            Assert.All(unused, name => Assert.DoesNotContain("/" + name, maps, StringComparison.Ordinal));
        }
        finally
        {
            GatewayProcess.RemoveFolder(folder);
        }
    }

    [GeneratedRegex(@"^admin key: (sy_[A-Za-z0-9]{12}_[A-Za-z0-9]+)$", RegexOptions.Multiline)]
    private static partial Regex AdminKeyLine();
}
