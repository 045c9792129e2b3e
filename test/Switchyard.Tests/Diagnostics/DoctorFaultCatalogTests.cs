using System.Net;
using System.Net.Sockets;
using Switchyard.Diagnostics;
using Switchyard.Tests.Common.Emulators;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// The fault catalog of issue 7: for each fault, <c>switchyard doctor</c> names the cause in a <c>fail</c> line. Configs
/// point at the loopback OpenAI emulator, an unresolvable <c>.invalid</c> host or a closed loopback port; unwritable
/// folders are paths under a regular file (permission bits would not stop root).
/// </summary>
public sealed class DoctorFaultCatalogTests : IAsyncLifetime
{
    private const string RightKey = "sk-right-doctor-key-0123456789";
    private const string WrongKey = "sk-wrong-doctor-key-9876543210";

    private OpenAIEmulator _emulator = null!;
    private string _dir = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await OpenAIEmulator.StartAsync(Ct);
        _emulator.RequiredKey = RightKey;
        _dir = Directory.CreateTempSubdirectory("switchyard-doctor-").FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await _emulator.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>A regular file: any path under it cannot be created, whoever runs the test.</summary>
    private string AFile()
    {
        var file = Path.Combine(_dir, "afile");
        File.WriteAllText(file, "not a folder");
        return file;
    }

    private async Task<IReadOnlyList<DoctorCheck>> DoctorAsync(
        string baseUrl,
        string apiKey = "${LOCAL_KEY}",
        string model = "gpt-4o-mini",
        Dictionary<string, string>? env = null,
        string? database = null,
        string? artifacts = null,
        string redis = "")
    {
        var yaml = $$"""
            storage:
              database: sqlite:{{database ?? Path.Combine(_dir, "db", "switchyard.db")}}
              artifacts: file:{{artifacts ?? Path.Combine(_dir, "artifacts")}}
              redis: "{{redis}}"
            providers:
              local:
                type: openai-compatible
                base_url: {{baseUrl}}
                api_key: {{apiKey}}
            routes:
              text:
                modality: text
                chain:
                  - { provider: local, model: {{model}} }
            """;
        var path = Path.Combine(_dir, "switchyard.yaml");
        await File.WriteAllTextAsync(path, yaml, Ct);
        env ??= new Dictionary<string, string> { ["LOCAL_KEY"] = RightKey };
        var doctor = new Doctor(name => env.GetValueOrDefault(name), TimeProvider.System, TimeSpan.FromSeconds(10));
        var checks = await doctor.RunAsync(path, Ct);
        foreach (var check in checks)
        {
            // Whatever else it says, doctor never prints a key.
            Assert.DoesNotContain(RightKey, check.Cause + check.Fix, StringComparison.Ordinal);
            Assert.DoesNotContain(WrongKey, check.Cause + check.Fix, StringComparison.Ordinal);
        }

        return checks;
    }

    private static DoctorCheck Failed(IReadOnlyList<DoctorCheck> checks, string area, string causePart)
    {
        var failed = checks.Where(c => c.Status == CheckStatus.Fail && c.Area == area).ToList();
        return failed.FirstOrDefault(c => c.Cause.Contains(causePart, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no {area} fail naming '{causePart}'; checks: {string.Join(" | ", checks.Select(c => $"{c.Status} {c.Area} {c.Subject}: {c.Cause}"))}");
    }

    [Fact]
    public async Task Baseline_AllOk()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl);

        Assert.DoesNotContain(checks, c => c.Status == CheckStatus.Fail);
        Assert.Contains(checks, c => c.Area == "provider" && c.Status == CheckStatus.Ok && c.Cause.Contains("key accepted", StringComparison.Ordinal));
        Assert.All(_emulator.Requests, r => Assert.Equal(("GET", "/v1/models"), (r.Method, r.Path)));
    }

    [Fact]
    public async Task CredentialMissingInThisEnvironment_FailNamingTheVariable()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl, apiKey: "${UNSET_VAR}");

        var secret = Failed(checks, "secret", "UNSET_VAR");
        Assert.Equal("UNSET_VAR", secret.Subject);
        Assert.Contains("set UNSET_VAR", secret.Fix, StringComparison.Ordinal);
        Failed(checks, "provider", "missing UNSET_VAR");
        Assert.Empty(_emulator.Requests);
    }

    [Fact]
    public async Task WrongKey_401_FailRejectedNamingTheVariable()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl, env: new() { ["LOCAL_KEY"] = WrongKey });

        var provider = Failed(checks, "provider", "rejected");
        Assert.StartsWith("the API key was rejected (HTTP 401", provider.Cause, StringComparison.Ordinal);
        Assert.Contains("${LOCAL_KEY}", provider.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BaseUrlThatDoesNotResolve_Fail()
    {
        var checks = await DoctorAsync("http://nonexistent.invalid/v1");

        var provider = Failed(checks, "provider", "does not resolve");
        Assert.Equal("base_url host nonexistent.invalid does not resolve", provider.Cause);
        Assert.Contains("providers.local.base_url", provider.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BaseUrlRefusingConnections_Fail()
    {
        var port = ClosedPort();

        var checks = await DoctorAsync($"http://127.0.0.1:{port}/v1");

        var provider = Failed(checks, "provider", "refused");
        Assert.Equal($"nothing listens at http://127.0.0.1:{port} (connection refused)", provider.Cause);
    }

    [Fact]
    public async Task ModelTheProviderDoesNotServe_FailNamingTheModel()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl, model: "gpt-nope");

        var model = Failed(checks, "provider", "'gpt-nope'");
        Assert.Equal("local/gpt-nope", model.Subject);
        Assert.Contains("does not list", model.Cause, StringComparison.Ordinal);
        Assert.Contains("gpt-4o-mini", model.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnwritableArtifactFolder_FailOnArtifacts()
    {
        var folder = Path.Combine(AFile(), "artifacts");

        var checks = await DoctorAsync(_emulator.BaseUrl, artifacts: folder);

        var artifacts = Failed(checks, "artifacts", "cannot be written");
        Assert.Equal(folder, artifacts.Subject);
    }

    [Fact]
    public async Task DatabaseInAReadOnlyPlace_FailOnDatabase()
    {
        var database = Path.Combine(AFile(), "db", "switchyard.db");

        var checks = await DoctorAsync(_emulator.BaseUrl, database: database);

        var failed = Failed(checks, "database", "cannot be written");
        Assert.Equal(database, failed.Subject);
    }

    [Fact]
    public async Task RouteWithNoCapableProvider_FailOnTheRoute()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl, apiKey: "${UNSET_VAR}");

        var route = Failed(checks, "route", "no usable tier");
        Assert.Equal("text", route.Subject);
    }

    [Fact]
    public async Task RedisConfiguredButDown_FailOnRedisNamingTheUrl()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl, redis: "redis://:planted-redis-password@127.0.0.1:1");

        var redis = Failed(checks, "redis", "cannot be reached");
        Assert.Equal("redis://***@127.0.0.1:1", redis.Subject);
        Assert.DoesNotContain(checks, c => (c.Cause + c.Fix + c.Subject).Contains("planted-redis-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RedisUrlMalformed_FailOnConfigNamingStorageRedis()
    {
        var checks = await DoctorAsync(_emulator.BaseUrl, redis: "127.0.0.1:6379");

        var config = Assert.Single(checks, c => c.Status == CheckStatus.Fail);
        Assert.Equal("config", config.Area);
        Assert.Equal("storage.redis", config.Subject);
        Assert.Contains("not a Redis URL", config.Cause, StringComparison.Ordinal);
    }
}
