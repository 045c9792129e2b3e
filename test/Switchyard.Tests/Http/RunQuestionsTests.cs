using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary><c>GET /v1/runs</c> filters and pages, <c>GET /v1/runs/{id}</c>, and <c>GET /v1/stats</c>, over a known mix of runs.</summary>
public sealed class RunQuestionsTests : IClassFixture<SeededLedger>
{
    private readonly SeededLedger _seed;

    public RunQuestionsTests(SeededLedger seed)
    {
        _seed = seed;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("outcome=failed", "Rejected")]
    [InlineData("status=degraded", "FirstTierDown,AllDown,OddSize")]
    [InlineData("outcome=success&route=image", "Plain,Preset,OtherKey")]
    [InlineData("error_class=unavailable", "FirstTierDown,AllDown")]
    [InlineData("error_class=content_rejected", "Rejected")]
    [InlineData("skip_reason=not_capable", "OddSize")]
    [InlineData("skip_reason=circuit_open", "")]
    [InlineData("route=strict-image", "Rejected")]
    [InlineData("provider=sandbox-b", "FirstTierDown,AllDown,OddSize")]
    [InlineData("provider=placeholder", "AllDown,OddSize")]
    [InlineData("model=sandbox-text", "Text")]
    [InlineData("preset=watercolor", "Preset")]
    [InlineData("key=key_TestAdmin001&route=image&outcome=success", "Plain,Preset")]
    [InlineData("since=1h", "Plain,FirstTierDown,AllDown,Rejected,OddSize,Preset,Text,OtherKey")]
    [InlineData("until=1h", "")]
    public async Task List_Filter_ReturnsExactlyTheMatchingRunsNewestFirst(string query, string expected)
    {
        var ids = await ListIdsAsync($"/v1/runs?{query}");

        var names = expected.Length == 0 ? [] : expected.Split(',');
        Assert.Equal(names.Select(n => _seed.Runs[n]).Reverse(), ids);
    }

    [Fact]
    public async Task List_KeyFilter_ScopesToThatKey()
    {
        var ids = await ListIdsAsync($"/v1/runs?key={_seed.OtherKeyId}");

        Assert.Equal([_seed.Runs["OtherKey"]], ids);
    }

    [Fact]
    public async Task List_SinceAndUntilIso_ReturnsTheRunsBetween()
    {
        using var admin = _seed.Factory.CreateClientWithKey();
        var all = await GetJsonAsync(admin, "/v1/runs");
        var startedAt = all.GetProperty("data").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("started_at").GetDateTimeOffset());
        var since = startedAt[_seed.Runs["AllDown"]];
        var until = startedAt[_seed.Runs["Preset"]];

        var ids = await ListIdsAsync($"/v1/runs?since={Uri.EscapeDataString(since.ToString("O"))}&until={Uri.EscapeDataString(until.ToString("O"))}");

        // since is inclusive, until exclusive.
        Assert.Equal(new[] { "AllDown", "Rejected", "OddSize" }.Select(n => _seed.Runs[n]).Reverse(), ids);
    }

    [Fact]
    public async Task List_ThreePages_EveryRunOnceInOrder()
    {
        using var admin = _seed.Factory.CreateClientWithKey();
        var seen = new List<string>();
        var pages = new List<(int Count, bool HasMore)>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync(admin, "/v1/runs?limit=3" + (cursor is null ? "" : $"&after={cursor}"));
            Assert.Equal("list", page.GetProperty("object").GetString());
            var data = page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
            var hasMore = page.GetProperty("has_more").GetBoolean();
            pages.Add((data.Count, hasMore));
            seen.AddRange(data);
            cursor = page.GetProperty("next_cursor").GetString();
            Assert.Equal(hasMore ? data[^1] : null, cursor);
        }
        while (cursor is not null && pages.Count < 10);

        Assert.Equal([(3, true), (3, true), (2, false)], pages);
        Assert.Equal(Enumerable.Reverse(_seed.InOrder), seen);
    }

    [Fact]
    public async Task List_ExactlyLimitRuns_NoMorePage()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var page = await GetJsonAsync(admin, "/v1/runs?limit=8");

        Assert.Equal(8, page.GetProperty("data").GetArrayLength());
        Assert.False(page.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("next_cursor").ValueKind);
    }

    [Theory]
    [InlineData("/v1/runs?outcome=crashed", "outcome")]
    [InlineData("/v1/runs?status=crashed", "status")]
    [InlineData("/v1/runs?error_class=Timeout", "error_class")]
    [InlineData("/v1/runs?skip_reason=sleepy", "skip_reason")]
    [InlineData("/v1/runs?since=yesterday", "since")]
    [InlineData("/v1/runs?until=5", "until")]
    [InlineData("/v1/runs?since=1h&until=2h", "until")]
    [InlineData("/v1/runs?limit=0", "limit")]
    [InlineData("/v1/runs?limit=501", "limit")]
    [InlineData("/v1/runs?limit=ten", "limit")]
    [InlineData("/v1/runs?after=42", "after")]
    [InlineData("/v1/stats?by=color", "by")]
    [InlineData("/v1/stats?since=-1h", "since")]
    [InlineData("/v1/stats?until=not-a-date", "until")]
    public async Task Questions_BadParameter_400NamingIt(string path, string param)
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        using var response = await admin.GetAsync(path, Ct);

        var body = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, param, "invalid_value");
        Assert.Contains(param, body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_Run_AttemptsInOrderWithWhatEachMet()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var run = await HttpAssert.RunAsync(admin, _seed.Runs["AllDown"]);

        Assert.Equal("degraded", run.GetProperty("outcome").GetString());
        Assert.Equal("placeholder", run.GetProperty("provider").GetString());
        Assert.Equal(2, run.GetProperty("tier").GetInt32());
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal([1, 2, 3], attempts.Select(a => a.GetProperty("seq").GetInt32()));
        Assert.Equal(["sandbox-a", "sandbox-b", "placeholder"], attempts.Select(a => a.GetProperty("provider").GetString()));
        Assert.Equal(["unavailable", "unavailable", null], attempts.Select(a => a.GetProperty("error_class").GetString()));
    }

    [Fact]
    public async Task List_NoAttemptsInListEntries()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var page = await GetJsonAsync(admin, "/v1/runs?limit=1");

        Assert.False(page.GetProperty("data")[0].TryGetProperty("attempts", out _));
    }

    [Fact]
    public async Task List_NonAdmin_SeesOnlyItsOwnRuns()
    {
        using var other = _seed.Factory.CreateClientWithKey(_seed.OtherKey);

        var page = await GetJsonAsync(other, "/v1/runs");
        var own = await GetJsonAsync(other, $"/v1/runs?key={_seed.OtherKeyId}");

        Assert.Equal([_seed.Runs["OtherKey"]], page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(1, own.GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task List_NonAdminAsksForAnotherKey_403NamingKey()
    {
        using var other = _seed.Factory.CreateClientWithKey(_seed.OtherKey);

        using var runs = await other.GetAsync($"/v1/runs?key={SeededLedger.AdminKeyId}", Ct);
        using var stats = await other.GetAsync($"/v1/stats?key={SeededLedger.AdminKeyId}", Ct);

        await HttpAssert.ErrorAsync(runs, HttpStatusCode.Forbidden, "key", "key_not_allowed");
        await HttpAssert.ErrorAsync(stats, HttpStatusCode.Forbidden, "key", "key_not_allowed");
    }

    [Fact]
    public async Task Show_NonAdminAnotherKeysRun_404()
    {
        using var other = _seed.Factory.CreateClientWithKey(_seed.OtherKey);

        using var response = await other.GetAsync($"/v1/runs/{_seed.Runs["Plain"]}", Ct);
        using var own = await other.GetAsync($"/v1/runs/{_seed.Runs["OtherKey"]}", Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.NotFound, "id", "run_not_found");
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Stats_ByRoute_CountsTheMix()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var stats = await GetJsonAsync(admin, "/v1/stats?since=1h&by=route");

        Assert.Equal("route", stats.GetProperty("by").GetString());
        var overall = stats.GetProperty("overall");
        Assert.Equal(JsonValueKind.Null, overall.GetProperty("group").ValueKind);
        Assert.Equal((8, 4, 3, 1), Counts(overall));

        // Served: 7; by a later tier: FirstTierDown (1), AllDown (2), OddSize (2).
        Assert.Equal(Math.Round(3.0 / 7, 4), overall.GetProperty("fallback_rate").GetDouble());
        Assert.Equal(0.5, overall.GetProperty("success_rate").GetDouble());
        Assert.Equal(0.125, overall.GetProperty("failed_rate").GetDouble());
        Assert.Equal(3, overall.GetProperty("error_classes").GetProperty("unavailable").GetInt32());
        Assert.Equal(1, overall.GetProperty("error_classes").GetProperty("content_rejected").GetInt32());
        Assert.Equal(2, overall.GetProperty("skip_reasons").GetProperty("not_capable").GetInt32());
        Assert.True(overall.GetProperty("latency_ms").GetProperty("p50").GetDouble() >= 0);

        var groups = stats.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!);
        Assert.Equal(["image", "strict-image", "text"], groups.Keys);
        Assert.Equal((6, 3, 3, 0), Counts(groups["image"]));
        Assert.Equal(0.5, groups["image"].GetProperty("fallback_rate").GetDouble());
        Assert.Equal((1, 0, 0, 1), Counts(groups["strict-image"]));
        Assert.Equal(JsonValueKind.Null, groups["strict-image"].GetProperty("fallback_rate").ValueKind);
        Assert.Equal((1, 1, 0, 0), Counts(groups["text"]));
    }

    [Fact]
    public async Task Stats_ByProvider_CountsEachProvidersAttempts()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var stats = await GetJsonAsync(admin, "/v1/stats?by=provider");

        var groups = stats.GetProperty("groups").EnumerateArray().ToDictionary(g => g.GetProperty("group").GetString()!);
        var b = groups["sandbox-b"];
        Assert.Equal(3, b.GetProperty("runs").GetInt32());
        var attempts = b.GetProperty("attempts");
        Assert.Equal((3, 1, 1, 1), (attempts.GetProperty("count").GetInt32(), attempts.GetProperty("success").GetInt32(), attempts.GetProperty("failed").GetInt32(), attempts.GetProperty("skipped").GetInt32()));
        Assert.Equal(1, b.GetProperty("error_classes").GetProperty("unavailable").GetInt32());
        Assert.Equal(1, b.GetProperty("skip_reasons").GetProperty("not_capable").GetInt32());
        Assert.Equal(2, groups["placeholder"].GetProperty("attempts").GetProperty("success").GetInt32());
        Assert.Equal(8, groups["sandbox-a"].GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task Stats_ByError_RunsPerErrorClassMet()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var stats = await GetJsonAsync(admin, "/v1/stats?by=error");

        var groups = stats.GetProperty("groups").EnumerateArray().ToList();
        Assert.Equal(["unavailable", "content_rejected", null], groups.Select(g => g.GetProperty("group").GetString()));
        Assert.Equal((2, 0, 2, 0), Counts(groups[0]));
        Assert.Equal((1, 0, 0, 1), Counts(groups[1]));
        Assert.Equal(5, groups[2].GetProperty("runs").GetInt32());
    }

    [Fact]
    public async Task Stats_NonAdmin_OnlyItsOwnRuns()
    {
        using var other = _seed.Factory.CreateClientWithKey(_seed.OtherKey);

        var stats = await GetJsonAsync(other, "/v1/stats?by=key");

        Assert.Equal(_seed.OtherKeyId, stats.GetProperty("key_id").GetString());
        Assert.Equal((1, 1, 0, 0), Counts(stats.GetProperty("overall")));
        Assert.Equal([_seed.OtherKeyId], stats.GetProperty("groups").EnumerateArray().Select(g => g.GetProperty("group").GetString()));
    }

    [Fact]
    public async Task Stats_WindowBeforeTheRuns_Empty()
    {
        using var admin = _seed.Factory.CreateClientWithKey();

        var stats = await GetJsonAsync(admin, "/v1/stats?since=3h&until=2h");

        Assert.Equal(0, stats.GetProperty("overall").GetProperty("runs").GetInt32());
        Assert.Equal(JsonValueKind.Null, stats.GetProperty("overall").GetProperty("success_rate").ValueKind);
        Assert.Empty(stats.GetProperty("groups").EnumerateArray());
        Assert.Equal(TimeSpan.FromHours(1), stats.GetProperty("until").GetDateTimeOffset() - stats.GetProperty("since").GetDateTimeOffset());
    }

    private static (int Runs, int Success, int Degraded, int Failed) Counts(JsonElement group) => (
        group.GetProperty("runs").GetInt32(), group.GetProperty("success").GetInt32(), group.GetProperty("degraded").GetInt32(), group.GetProperty("failed").GetInt32());

    private async Task<List<string>> ListIdsAsync(string path)
    {
        using var admin = _seed.Factory.CreateClientWithKey();
        var page = await GetJsonAsync(admin, path);
        return [.. page.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
