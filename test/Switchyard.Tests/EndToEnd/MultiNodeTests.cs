using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Keys;
using Switchyard.Storage.Postgres;
using Switchyard.Tests.Common.Servers;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.EndToEnd;

/// <summary>
/// Two real gateway processes on loopback sharing one PostgreSQL and one Redis (both from Debian's
/// packages, started by the test script): what one node learns about a provider holds on the other.
/// </summary>
public sealed class MultiNodeTests : IAsyncLifetime
{
    private readonly TestPostgres _postgres = new();
    private readonly string _adminKey = GatewayProcess.NewKey();
    private GatewayProcess _nodeA = null!;
    private GatewayProcess _nodeB = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        await _postgres.InitializeAsync();
        var config = $$"""
            storage:
              database: "{{_postgres.Url}}"
              artifacts: file:data/artifacts
              redis: "{{await RedisServer.GetUrlAsync()}}"
            providers:
              flaky:
                type: sandbox
                latency: 0ms
                retry: { max_attempts: 1 }
                circuit_breaker: { failure_ratio: 0.5, minimum_throughput: 2, sampling: 30s, break: 5m }
              metered:
                type: sandbox
                latency: 0ms
                retry: { max_attempts: 1 }
                circuit_breaker: { minimum_throughput: 100000 }
                rate_limit: { rpm: 4 }
              placeholder:
                type: placeholder
            routes:
              image:
                modality: image
                chain:
                  - { provider: flaky, model: sandbox-image }
                  - { provider: placeholder }
              text:
                modality: text
                chain:
                  - { provider: metered, model: sandbox-text }
                  - { provider: placeholder }
            """;

        // One after the other: the first migrates the shared schema and imports the admin key.
        _nodeA = new GatewayProcess(config, _adminKey, folder: null);
        await _nodeA.InitializeAsync();
        _nodeB = new GatewayProcess(config, _adminKey, folder: null);
        await _nodeB.InitializeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        await _postgres.DisposeAsync();
    }

    [Fact]
    public async Task ProviderFailingOnNodeA_IsSkippedAsCircuitOpenOnNodeB()
    {
        using var a = _nodeA.CreateHttpClient(_adminKey);
        using var b = _nodeB.CreateHttpClient(_adminKey);
        for (var i = 0; i < 2; i++)
        {
            using var failed = await a.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = $"a lighthouse {i} [fail:unavailable@flaky]", size = "256x256" }, Ct);
            Assert.Equal(HttpStatusCode.OK, failed.StatusCode); // the placeholder served it
        }

        // Node B holds the circuit open too (its readiness shows it). The one-second bound is asserted
        // on the broadcast itself (RedisCircuitBroadcastTests); here HTTP polling of two busy processes
        // on a shared CI machine gets some slack.
        using (var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            deadline.CancelAfter(TimeSpan.FromSeconds(3));
            while (!(await b.GetStringAsync("/readyz", deadline.Token)).Contains("\"provider:flaky\":\"circuit open\"", StringComparison.Ordinal))
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        using var response = await b.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a healthy lighthouse", size = "256x256" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("placeholder", response.Headers.GetValues("x-switchyard-provider").Single());
        var runId = response.Headers.GetValues("x-switchyard-run-id").Single();
        var run = await b.GetFromJsonAsync<JsonElement>($"/v1/runs/{runId}", Ct);
        var first = run.GetProperty("attempts")[0];
        Assert.Equal(("flaky", "skipped", "circuit_open"), (first.GetProperty("provider").GetString(), first.GetProperty("status").GetString(), first.GetProperty("skip_reason").GetString()));
    }

    [Fact]
    public async Task ProviderRpmLimit_HoldsAcrossBothNodes()
    {
        using var a = _nodeA.CreateHttpClient(_adminKey);
        using var b = _nodeB.CreateHttpClient(_adminKey);
        var servedBy = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            foreach (var client in new[] { a, b })
            {
                using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = $"hello {i}" } } }, Ct);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                servedBy.Add(response.Headers.GetValues("x-switchyard-provider").Single());
            }
        }

        // rpm: 4 for the deployment, not 4 per node: of 8 requests in the minute, 4 reach the provider.
        Assert.Equal(4, servedBy.Count(p => p == "metered"));
        Assert.Equal(4, servedBy.Count(p => p == "placeholder"));
    }

    [Fact]
    public async Task PerKeyRpmLimit_HoldsAcrossBothNodes()
    {
        string key;
        await using (var database = new PostgresDatabase(_postgres.Url, TimeProvider.System))
        {
            (key, var record) = ApiKeys.Create("metered-tenant", isAdmin: false, TimeProvider.System.GetUtcNow());
            await new PostgresKeyStore(database).AddAsync(record with { Limits = new KeyLimits { RequestsPerMinute = 3 } }, Ct);
        }

        using var a = _nodeA.CreateHttpClient(key);
        using var b = _nodeB.CreateHttpClient(key);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            foreach (var client in new[] { a, b })
            {
                using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "placeholder/placeholder", prompt = $"tenant image {i}", size = "256x256" }, Ct);
                statuses.Add(response.StatusCode);
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    Assert.True(response.Headers.RetryAfter is not null, "429 without Retry-After");
                    var error = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
                    Assert.Equal("key_rate_limited", error.GetProperty("error").GetProperty("code").GetString());
                }
            }
        }

        // 3 per minute for the key across the deployment, not 3 per node.
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
    }
}
