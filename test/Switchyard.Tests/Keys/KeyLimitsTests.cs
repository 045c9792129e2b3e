using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Common.Time;
using Switchyard.Keys;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Keys;

/// <summary>Per-key limits enforced in the request path: a 429 with Retry-After, a ledger run that says why, and no provider call.</summary>
public sealed class KeyLimitsTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Rpm_OverLimit_429WithRetryAfterAndRunRecordNoProviderCall()
    {
        var time = new FakeTimeProvider(Noon);
        using var factory = new GatewayFactory { Time = time };
        using var admin = factory.CreateClientWithKey();
        var (key, id) = await AddKeyAsync(factory, new KeyLimits { RequestsPerMinute = 2 });
        using var client = factory.CreateClientWithKey(key);

        for (var i = 0; i < 2; i++)
        {
            using var ok = await ChatAsync(client, "text");
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var refused = await ChatAsync(client, "text");

        var body = await HttpAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, null, "key_rate_limited");
        Assert.Equal("rate_limit_error", body.GetProperty("error").GetProperty("type").GetString());
        Assert.Contains(id, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("30", refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(refused));
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        Assert.Equal("rate_limited", run.GetProperty("error_class").GetString());
        Assert.Equal(429, run.GetProperty("http_status").GetInt32());
        Assert.Equal(id, run.GetProperty("key_id").GetString());
        var attempt = Assert.Single(run.GetProperty("attempts").EnumerateArray());
        Assert.Equal("skipped", attempt.GetProperty("status").GetString());
        Assert.Equal("local_rate_limit", attempt.GetProperty("skip_reason").GetString());
        Assert.Contains("requests per minute", attempt.GetProperty("message").GetString(), StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(30));
        using var again = await ChatAsync(client, "text");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Rpm_OneKeyLimited_OtherKeysUnaffected()
    {
        using var factory = new GatewayFactory { Time = new FakeTimeProvider(Noon) };
        var (key, _) = await AddKeyAsync(factory, new KeyLimits { RequestsPerMinute = 1 });
        using var limited = factory.CreateClientWithKey(key);
        using var admin = factory.CreateClientWithKey();

        (await ChatAsync(limited, "text")).Dispose();
        using var refused = await ChatAsync(limited, "text");
        using var adminOk = await ChatAsync(admin, "text");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, adminOk.StatusCode);
    }

    [Fact]
    public async Task Concurrency_SecondWhileFirstInFlight_429ThenFreedWhenFirstEnds()
    {
        var time = new WatchedTimeProvider();
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml.Replace("""
              sandbox-b:
                type: sandbox
                latency: 0ms
            """, """
              sandbox-b:
                type: sandbox
                latency: 10s
            """, StringComparison.Ordinal)) { Time = time };
        var (key, _) = await AddKeyAsync(factory, new KeyLimits { Concurrency = 1 });
        using var client = factory.CreateClientWithKey(key);

        var first = ChatAsync(client, "sandbox-b/sandbox-text");
        await time.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(10));
        using var refused = await ChatAsync(client, "text");

        var body = await HttpAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, null, "key_concurrency_limited");
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Contains("in flight", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(10));
        using (var done = await first)
        {
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        using var after = await ChatAsync(client, "text");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task DailyQuota_Exhausted_429UntilUtcMidnightAndSurvivesRestart()
    {
        var time = new FakeTimeProvider(Noon);
        using var first = new GatewayFactory { Time = time };
        var (key, id) = await AddKeyAsync(first, new KeyLimits { DailyQuota = 2 });
        using (var client = first.CreateClientWithKey(key))
        {
            // A bad request and an unknown model never reach the engine: they do not use the quota.
            (await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text" }, Ct)).Dispose();
            (await ChatAsync(client, "no-such-model")).Dispose();
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, "text")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, "text")).StatusCode);
            using var refused = await ChatAsync(client, "text");
            var body = await HttpAssert.ErrorAsync(refused, HttpStatusCode.TooManyRequests, null, "daily_quota_exceeded");
            Assert.Equal(TimeSpan.FromHours(12), refused.Headers.RetryAfter!.Delta);
            var run = await HttpAssert.RunAsync(first.CreateClientWithKey(), HttpAssert.RunId(refused));
            Assert.Equal("budget_exceeded", run.GetProperty("attempts")[0].GetProperty("skip_reason").GetString());
            Assert.Contains("daily quota of 2", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        // A second process on the same database (a restart) starts its count from the ledger.
        using var second = new GatewayFactory(GatewayFactory.DefaultYaml, database: "sqlite:" + Path.Combine(first.Folder, "switchyard.db")) { Time = time };
        using (var client = second.CreateClientWithKey(key))
        {
            using var stillRefused = await ChatAsync(client, "text");
            await HttpAssert.ErrorAsync(stillRefused, HttpStatusCode.TooManyRequests, null, "daily_quota_exceeded");

            time.Advance(TimeSpan.FromHours(12));
            using var nextDay = await ChatAsync(client, "text");
            Assert.Equal(HttpStatusCode.OK, nextDay.StatusCode);
        }

        Assert.Equal(id, (await second.Services.GetRequiredService<IKeyStore>().ListAsync(Ct)).Single(k => k.Id == id).Id);
    }

    [Fact]
    public async Task Routes_OutsideList_404UnknownModelAndModelsListsOnlyAllowed()
    {
        using var factory = new GatewayFactory();
        var (key, _) = await AddKeyAsync(factory, new KeyLimits { Routes = ["image", "sandbox-a/sandbox-text"] });
        using var client = factory.CreateClientWithKey(key);

        using var route = await ChatAsync(client, "text");
        using var preset = await client.PostAsJsonAsync("/v1/images/generations", new { model = "enhance", prompt = "x", size = "256x256" }, Ct);
        using var allowedModel = await ChatAsync(client, "sandbox-a/sandbox-text");
        using var allowedRoute = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "x", size = "256x256" }, Ct);
        using var models = await client.GetAsync("/v1/models", Ct);

        await HttpAssert.ErrorAsync(route, HttpStatusCode.NotFound, "model", "model_not_found");
        await HttpAssert.ErrorAsync(preset, HttpStatusCode.NotFound, "model", "model_not_found");
        Assert.Equal(HttpStatusCode.OK, allowedModel.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowedRoute.StatusCode);
        var ids = JsonDocument.Parse(await models.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(["image", "sandbox-a/sandbox-text"], ids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task UpdateLimits_InThisProcess_AppliesAtOnce()
    {
        using var factory = new GatewayFactory { Time = new FakeTimeProvider(Noon) };
        var (key, id) = await AddKeyAsync(factory, KeyLimits.None);
        using var client = factory.CreateClientWithKey(key);
        Assert.Equal(HttpStatusCode.OK, (await ChatAsync(client, "text")).StatusCode);

        await factory.Services.GetRequiredService<IKeyStore>().UpdateLimitsAsync(id, new KeyLimits { Routes = ["image"] }, Ct);

        Assert.Equal(HttpStatusCode.NotFound, (await ChatAsync(client, "text")).StatusCode);
    }

    internal static async Task<(string Key, string Id)> AddKeyAsync(GatewayFactory factory, KeyLimits limits)
    {
        var time = factory.Services.GetRequiredService<TimeProvider>();
        var (key, record) = ApiKeys.Create("limited", isAdmin: false, time.GetUtcNow());
        await factory.Services.GetRequiredService<IKeyStore>().AddAsync(record with { Limits = limits }, Ct);
        return (key, record.Id);
    }

    private static Task<HttpResponseMessage> ChatAsync(HttpClient client, string model) =>
        client.PostAsJsonAsync("/v1/chat/completions", new { model, messages = new[] { new { role = "user", content = "hi" } } }, Ct);
}
