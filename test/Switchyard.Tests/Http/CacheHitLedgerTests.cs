using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>What the ledger's answers say about a run the result cache served.</summary>
public sealed class CacheHitLedgerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stats_SeededRequestTwice_SecondIsACacheHitInRunAndStats()
    {
        await using var factory = new GatewayFactory();
        using var admin = factory.CreateClientWithKey();
        var body = new { model = "guarded-image", prompt = "a lighthouse", seed = 7 };
        using var first = await admin.PostAsJsonAsync("/v1/images/generations", body, Ct);
        using var second = await admin.PostAsJsonAsync("/v1/images/generations", body, Ct);
        Assert.Equal("hit", HttpAssert.Header(second, "x-switchyard-cache"));

        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(second));
        var stats = await admin.GetFromJsonAsync<JsonElement>("/v1/stats?by=route", Ct);

        Assert.True(run.GetProperty("cache_hit").GetBoolean());
        Assert.Equal(1, stats.GetProperty("overall").GetProperty("cache_hits").GetInt32());
    }
}
