using System.CommandLine;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Switchyard.Cli;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Cli;

/// <summary>
/// <c>switchyard bundle</c> as a user runs it against the database a gateway wrote: the zip holds what support needs
/// (versions, config, doctor, stats, failed and degraded runs with attempts, alerts) and no secret anywhere, planted
/// secrets in the config, the environment and a prompt included; parts it cannot reach are recorded, never fatal.
/// </summary>
public sealed class BundleCommandTests : IDisposable
{
    // Distinctive values with no credential shape, so only the bundle's knowledge of the secrets can mask them.
    private const string OpenAiKey = "PLANTED-openai-5f3c9a1e77d2";
    private const string StabilityKey = "PLANTED+stab/ility=Key42&more";
    private const string AwsSecret = "PLANTEDawsSecretValue/abc+XYZ";
    private const string PostgresPassword = "PLANTEDpgPass7781";
    private static readonly string WebhookSecret = "whsec_" + Convert.ToBase64String(Encoding.ASCII.GetBytes("PLANTED-webhook-secret-bytes-0123456789"));
    private static readonly string PromptKey = "sk-PLANTEDpromptKey" + "abcdefghijklmnop";

    private static readonly string Yaml = GatewayFactory.DefaultYaml.Replace("providers:\n", """
        providers:
          oa:
            type: openai
            base_url: http://127.0.0.1:1/v1
            api_key: ${SY_BUNDLE_TEST_OPENAI}
          stab:
            type: stability
            base_url: http://127.0.0.1:1
            api_key: ${SY_BUNDLE_TEST_STABILITY}

        """.ReplaceLineEndings("\n"), StringComparison.Ordinal) + """

        alerts:
          webhook:
            url: http://127.0.0.1:1/hook
            secret: ${SY_BUNDLE_TEST_WEBHOOK}
          rules:
            image-fallback:
              kind: placeholder_share
              route: image
              above: 0.5
              window: 15m
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("switchyard-bundle-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Environment => new(StringComparer.Ordinal)
    {
        ["SY_BUNDLE_TEST_OPENAI"] = OpenAiKey,
        ["SY_BUNDLE_TEST_STABILITY"] = StabilityKey,
        ["SY_BUNDLE_TEST_WEBHOOK"] = WebhookSecret,
        ["AWS_SECRET_ACCESS_KEY"] = AwsSecret,
        ["SWITCHYARD_ADMIN_KEY"] = GatewayFactory.AdminKey,
        ["HOME"] = "/home/someone",

        // Secret-named variables holding flags or numbers must not mask those words in the JSON files.
        ["FEATURE_KEY_ENABLED"] = "true",
        ["TOKEN_LIMIT"] = "4096",
        ["SHORT_SECRET"] = "abc",
    };

    private static string[] Planted => [OpenAiKey, StabilityKey, AwsSecret, WebhookSecret, PostgresPassword, PromptKey, GatewayFactory.AdminKey];

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Bundle_SeededGateway_HasEveryPartAndNoPlantedSecretInAnyEntry()
    {
        await using var gateway = new GatewayFactory(Yaml);
        var runs = await SeedAsync(gateway);
        var zipPath = Path.Combine(_folder, "bundle.zip");

        var (exit, output, error) = await RunAsync(
            gateway,
            ["bundle", "-o", zipPath, "--config", gateway.ConfigPath, "--url", "http://localhost", "--key", GatewayFactory.AdminKey, "--probe-timeout", "2"]);

        Assert.True(exit == 0, error);
        Assert.Contains("wrote " + zipPath, output, StringComparison.Ordinal);
        var entries = ReadZip(zipPath);
        AssertNoSecret(entries);
        Assert.Equal(
            ["README.txt", "alerts.json", "config.json", "doctor.json", "manifest.json", "runs-failed-degraded.json", "stats-24h-by-error.json", "stats-24h-by-provider.json", "stats-24h-by-route.json", "versions.json"],
            entries.Keys.Order(StringComparer.Ordinal));

        // The failed and degraded runs, newest first, each with its attempts; successes are not support's business.
        var bundled = Json(entries["runs-failed-degraded.json"]).GetProperty("data").EnumerateArray().ToList();
        Assert.Equal([runs["AwsInPrompt"], runs["KeyInPrompt"], runs["Rejected"], runs["Degraded"]], bundled.Select(r => r.GetProperty("id").GetString()));
        var degraded = bundled.Single(r => r.GetProperty("id").GetString() == runs["Degraded"]);
        Assert.Equal(["failed", "failed", "success"], degraded.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetString()));
        Assert.Contains("[redacted]", bundled.Single(r => r.GetProperty("id").GetString() == runs["AwsInPrompt"]).GetProperty("prompt_preview").GetString(), StringComparison.Ordinal);

        var stats = Json(entries["stats-24h-by-route.json"]);
        Assert.Equal(5, stats.GetProperty("overall").GetProperty("runs").GetInt32());
        Assert.Equal("error", Json(entries["stats-24h-by-error.json"]).GetProperty("by").GetString());

        // Secrets: references stay, values do not; the referenced variables say set or missing.
        var config = Json(entries["config.json"]);
        Assert.True(config.GetProperty("valid").GetBoolean());
        Assert.Equal("${SY_BUNDLE_TEST_OPENAI}", config.GetProperty("settings").GetProperty("providers").GetProperty("oa").GetProperty("api_key").GetString());
        Assert.Equal("set", config.GetProperty("referenced_variables").GetProperty("SY_BUNDLE_TEST_WEBHOOK").GetString());
        Assert.Equal("sandbox-a", config.GetProperty("settings").GetProperty("routes").GetProperty("image").GetProperty("chain")[0].GetProperty("provider").GetString());

        var doctor = Json(entries["doctor.json"]);
        Assert.Contains(doctor.GetProperty("checks").EnumerateArray(), c => c.GetProperty("subject").GetString() == "SY_BUNDLE_TEST_OPENAI" && c.GetProperty("status").GetString() == "ok");
        var alerts = Json(entries["alerts.json"]);
        Assert.Equal("list", alerts.GetProperty("object").GetString());
        Assert.True(alerts.GetProperty("data").GetArrayLength() > 0, entries["alerts.json"]);
        var versions = Json(entries["versions.json"]);
        Assert.Equal(versions.GetProperty("expected_schema_version").GetInt32(), versions.GetProperty("schema_version").GetInt32());
        Assert.Contains(".NET", versions.GetProperty("runtime").GetString(), StringComparison.Ordinal);

        // The manifest names every other file with its true size, and every part was collected.
        var manifest = Json(entries["manifest.json"]);
        var files = manifest.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.GetProperty("bytes").GetInt64());
        Assert.Equal(entries.Keys.Except(["README.txt", "manifest.json"]).Order(StringComparer.Ordinal), files.Keys.Order(StringComparer.Ordinal));
        Assert.All(files, f => Assert.Equal(Encoding.UTF8.GetByteCount(entries[f.Key]), f.Value));
        Assert.All(manifest.GetProperty("sections").EnumerateArray(), s => Assert.True(s.GetProperty("collected").GetBoolean(), s.ToString()));
        Assert.All(files.Keys, name => Assert.Contains(name, entries["README.txt"], StringComparison.Ordinal));
        Assert.All(entries.Where(e => e.Key.EndsWith(".json", StringComparison.Ordinal)), e => JsonDocument.Parse(e.Value).Dispose());
    }

    [Fact]
    public async Task Bundle_ServerDown_WrittenWithAlertsRecordedAsNotReached()
    {
        await using var gateway = new GatewayFactory(Yaml);
        await SeedAsync(gateway);
        var zipPath = Path.Combine(_folder, "down.zip");
        var closed = ClosedPort();

        var (exit, output, error) = await RunAsync(
            null,
            ["bundle", "-o", zipPath, "--config", gateway.ConfigPath, "--url", $"http://127.0.0.1:{closed}", "--key", GatewayFactory.AdminKey, "--json", "--probe-timeout", "2"]);

        Assert.True(exit == 0, error);
        var result = Json(output);
        Assert.Equal(zipPath, result.GetProperty("path").GetString());
        var alertsPart = result.GetProperty("manifest").GetProperty("sections").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "alerts");
        Assert.False(alertsPart.GetProperty("collected").GetBoolean());
        Assert.StartsWith($"server not reached at http://127.0.0.1:{closed}/v1/alerts", alertsPart.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var entries = ReadZip(zipPath);
        AssertNoSecret(entries);
        var alerts = Json(entries["alerts.json"]);
        Assert.False(alerts.GetProperty("reached").GetBoolean());
        Assert.Equal(4, Json(entries["runs-failed-degraded.json"]).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task Bundle_NoAdminKey_AlertsNotFetchedAndTheReasonSaysHow()
    {
        await using var gateway = new GatewayFactory(Yaml);
        await SeedAsync(gateway);
        var zipPath = Path.Combine(_folder, "nokey.zip");
        var environment = Environment;
        environment.Remove("SWITCHYARD_ADMIN_KEY");

        var (exit, _, error) = await RunAsync(null, ["bundle", "-o", zipPath, "--config", gateway.ConfigPath, "--probe-timeout", "1"], environment);

        Assert.True(exit == 0, error);
        var alerts = Json(ReadZip(zipPath)["alerts.json"]);
        Assert.Contains("pass --key or set SWITCHYARD_ADMIN_KEY", alerts.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bundle_PostgresPasswordInUrlAndDatabaseUnreachable_WrittenWithoutThePassword()
    {
        var config = Path.Combine(_folder, "pg.yaml");
        await File.WriteAllTextAsync(config, $"""
            storage:
              database: postgres://bundle_user:{PostgresPassword}@127.0.0.1:{ClosedPort()}/switchyard
              artifacts: file:{Path.Combine(_folder, "artifacts")}
            {Yaml}
            """, Ct);
        var zipPath = Path.Combine(_folder, "pg.zip");

        var (exit, output, error) = await RunAsync(null, ["bundle", "-o", zipPath, "--config", config, "--json", "--probe-timeout", "1"]);

        Assert.True(exit == 0, error);
        Assert.DoesNotContain(PostgresPassword, output, StringComparison.Ordinal);
        var entries = ReadZip(zipPath);
        AssertNoSecret(entries);
        var database = Json(entries["config.json"]).GetProperty("settings").GetProperty("storage").GetProperty("database").GetString();
        Assert.StartsWith("postgres://bundle_user:[redacted]@127.0.0.1:", database, StringComparison.Ordinal);
        var sections = Json(entries["manifest.json"]).GetProperty("sections").EnumerateArray().ToDictionary(s => s.GetProperty("name").GetString()!, s => s.GetProperty("collected").GetBoolean());
        Assert.False(sections["database"]);
        Assert.False(sections["runs"]);
        Assert.True(sections["doctor"]);
        Assert.False(entries.ContainsKey("runs-failed-degraded.json"));
    }

    [Fact]
    public async Task Bundle_InvalidConfig_StillWrittenWithEveryProblemAndDoctorsFailures()
    {
        var config = Path.Combine(_folder, "bad.yaml");
        await File.WriteAllTextAsync(config, $"""
            storage:
              database: sqlite:{Path.Combine(_folder, "x.db")}
            providers:
              oa:
                type: openai
                api_key: literal-{OpenAiKey}
            routes:
              image:
                modality: imagery
                chain: []
            """, Ct);
        var zipPath = Path.Combine(_folder, "bad.zip");

        var (exit, _, error) = await RunAsync(null, ["bundle", "-o", zipPath, "--config", config]);

        Assert.True(exit == 0, error);
        var entries = ReadZip(zipPath);
        AssertNoSecret(entries);
        var configJson = Json(entries["config.json"]);
        Assert.False(configJson.GetProperty("valid").GetBoolean());
        var problems = configJson.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("path").GetString()).ToList();
        Assert.Contains("providers.oa.api_key", problems);
        Assert.Contains("routes.image.modality", problems);
        Assert.Equal("[redacted]", configJson.GetProperty("settings").GetProperty("providers").GetProperty("oa").GetProperty("api_key").GetString());
        Assert.False(Json(entries["doctor.json"]).GetProperty("ok").GetBoolean());
        Assert.Contains("NOT collected", entries["README.txt"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--url", "ftp://127.0.0.1/", "--url:")]
    [InlineData("-o", "/nonexistent-folder-for-bundle/b.zip", "--output:")]
    public async Task Bundle_BadOption_Exit2NamingTheOption(string option, string value, string expected)
    {
        string[] args = option == "-o" ? ["bundle", "-o", value] : ["bundle", "-o", Path.Combine(_folder, "b.zip"), option, value];

        var (exit, output, error) = await RunAsync(null, args);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith(expected, error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_folder, "b.zip")));
    }

    private static void AssertNoSecret(Dictionary<string, string> entries)
    {
        foreach (var (name, text) in entries)
        {
            foreach (var secret in Planted)
            {
                Assert.False(text.Contains(secret, StringComparison.OrdinalIgnoreCase), $"{name} contains the planted secret {secret}");
                Assert.False(text.Contains(JsonEncodedText.Encode(secret).Value, StringComparison.OrdinalIgnoreCase), $"{name} contains the JSON-escaped secret {secret}");
                Assert.False(text.Contains(Uri.EscapeDataString(secret), StringComparison.OrdinalIgnoreCase), $"{name} contains the URL-encoded secret {secret}");
            }

            // Nor does any part of one long enough to be recognised.
            Assert.DoesNotContain("PLANTED", text, StringComparison.Ordinal);
        }
    }

    private static async Task<Dictionary<string, string>> SeedAsync(GatewayFactory gateway)
    {
        using var client = gateway.CreateClientWithKey();
        var runs = new Dictionary<string, string>(StringComparer.Ordinal);
        async Task PostAsync(string name, string model, string prompt)
        {
            using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model, prompt }, Ct);
            runs[name] = HttpAssert.RunId(response);
            await Task.Delay(5, Ct);
        }

        await PostAsync("Plain", "image", "a lighthouse");
        await PostAsync("Degraded", "image", "a storm [fail:unavailable]");
        await PostAsync("Rejected", "strict-image", "a statue [fail:content_rejected]");
        await PostAsync("KeyInPrompt", "image", $"my key is {PromptKey} [fail:unavailable@sandbox-a]");
        await PostAsync("AwsInPrompt", "strict-image", $"secret {AwsSecret} [fail:content_rejected]");

        // The ledger writes behind the response.
        for (var i = 0; i < 100; i++)
        {
            var page = await client.GetFromJsonAsync<JsonElement>("/v1/runs?limit=500", Ct);
            if (page.GetProperty("data").EnumerateArray().Count(r => r.GetProperty("outcome").ValueKind == JsonValueKind.String) >= runs.Count)
            {
                return runs;
            }

            await Task.Delay(50, Ct);
        }

        throw new InvalidOperationException("The seeded runs did not reach the ledger.");
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(GatewayFactory? server, string[] args, Dictionary<string, string>? environment = null)
    {
        environment ??= Environment;
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, TimeProvider.System, name => environment.GetValueOrDefault(name))
        {
            AllVariables = () => environment,
            HttpHandler = server is null ? null : server.Server.CreateHandler,
        };
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    private static Dictionary<string, string> ReadZip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        return zip.Entries.ToDictionary(e => e.FullName, e =>
        {
            using var reader = new StreamReader(e.Open(), Encoding.UTF8);
            return reader.ReadToEnd();
        });
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
