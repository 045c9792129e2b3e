using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Alerts;
using Switchyard.Keys;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary><c>GET /v1/alerts</c>: rules fed by real runs through the engine, shown to admin keys only.</summary>
public sealed class AlertEndpointTests
{
    private const string Alerts = """

        alerts:
          evaluate_every: 1h
          min_runs: 3
          rules:
            image-fallback:
              kind: placeholder_share
              route: image
              above: 0.5
              window: 15m
              severity: critical
            image-success:
              kind: success_rate
              route: image
              below: 0.8
              window: 5m
            sandbox-a-breaker:
              kind: circuit_open
              provider: sandbox-a
              for: 2m
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task List_AfterRunsServedByThePlaceholder_ShowsTheRuleFiringAndItsHistory()
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Alerts);
        using var client = factory.CreateClientWithKey();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a storm [fail:unavailable]" }, Ct);
            Assert.Equal("placeholder", HttpAssert.Header(response, "x-switchyard-provider"));
        }

        var fired = await factory.Services.GetRequiredService<AlertMonitor>().TickAsync(Ct);
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/alerts", Ct);

        Assert.Equal("image-fallback", Assert.Single(fired).Rule.Name);
        Assert.Equal("list", body.GetProperty("object").GetString());
        var rules = body.GetProperty("data").EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!);
        Assert.Equal(["image-fallback", "image-success", "sandbox-a-breaker"], rules.Keys);
        var fallback = rules["image-fallback"];
        Assert.Equal("placeholder_share", fallback.GetProperty("kind").GetString());
        Assert.Equal("critical", fallback.GetProperty("severity").GetString());
        Assert.Equal("firing", fallback.GetProperty("state").GetString());
        Assert.Equal(1.0, fallback.GetProperty("value").GetDouble());
        Assert.Equal(0.5, fallback.GetProperty("threshold").GetDouble());
        Assert.Equal("15m", fallback.GetProperty("window").GetString());
        Assert.Equal(JsonValueKind.String, fallback.GetProperty("since").ValueKind);
        Assert.Equal(JsonValueKind.String, fallback.GetProperty("last_evaluated").ValueKind);
        var success = rules["image-success"];
        Assert.Equal("ok", success.GetProperty("state").GetString());
        Assert.Equal(1.0, success.GetProperty("value").GetDouble());
        Assert.Equal("warning", success.GetProperty("severity").GetString());
        var breaker = rules["sandbox-a-breaker"];
        Assert.Equal("ok", breaker.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, breaker.GetProperty("window").ValueKind);
        Assert.Equal(120, breaker.GetProperty("threshold").GetDouble());
        var transition = Assert.Single(body.GetProperty("history").EnumerateArray());
        Assert.Equal("image-fallback", transition.GetProperty("rule").GetString());
        Assert.Equal("alert.firing", transition.GetProperty("type").GetString());
        Assert.Equal("ok", transition.GetProperty("from").GetString());
        Assert.Equal("firing", transition.GetProperty("to").GetString());
    }

    [Fact]
    public async Task Worker_EvaluatesEveryEvaluateEveryOnTheGatewayClock()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Alerts.Replace("evaluate_every: 1h", "evaluate_every: 30s", StringComparison.Ordinal)) { Time = time };
        using var client = factory.CreateClientWithKey();
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a storm [fail:unavailable]" }, Ct);
        }

        Assert.Equal("ok", await StateAsync(client, "image-fallback"));
        time.Advance(TimeSpan.FromSeconds(30));

        // The tick runs on the worker's own task; give it a bounded moment to finish.
        var state = await StateAsync(client, "image-fallback");
        for (var i = 0; i < 200 && state != "firing"; i++)
        {
            await Task.Delay(25, Ct);
            state = await StateAsync(client, "image-fallback");
        }

        Assert.Equal("firing", state);
    }

    private static async Task<string?> StateAsync(HttpClient client, string rule)
    {
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/alerts", Ct);
        return body.GetProperty("data").EnumerateArray().Single(r => r.GetProperty("name").GetString() == rule).GetProperty("state").GetString();
    }

    [Fact]
    public async Task List_NoRules_IsAnEmptyList()
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();

        var body = await client.GetFromJsonAsync<JsonElement>("/v1/alerts", Ct);

        Assert.Equal(0, body.GetProperty("data").GetArrayLength());
        Assert.Equal(0, body.GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task List_NonAdminKey_IsForbidden()
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Alerts);
        using var admin = factory.CreateClientWithKey();
        var (key, record) = ApiKeys.Create("app", isAdmin: false, DateTimeOffset.UnixEpoch.AddYears(56));
        await factory.Services.GetRequiredService<IKeyStore>().AddAsync(record, Ct);
        using var app = factory.CreateClientWithKey(key);

        using var response = await app.GetAsync("/v1/alerts", Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error");
        Assert.Equal("admin_key_required", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task List_NoKey_IsUnauthorized()
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/v1/alerts", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
