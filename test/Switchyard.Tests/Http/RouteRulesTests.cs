using System.Net;
using System.Net.Http.Json;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>Route prompt rules and the result cache, through the API.</summary>
public sealed class RouteRulesTests : IClassFixture<GatewayFactory>
{
    private readonly GatewayFactory _factory;

    public RouteRulesTests(GatewayFactory factory)
    {
        _factory = factory;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task DenyPattern_400NamingPromptAndRuleWithLedgerRecord()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "guarded-image", prompt = "a Forbidden-Word on a wall" }, Ct);

        var body = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "prompt", "prompt_rejected");
        Assert.Contains("routes.guarded-image.prompt.deny[0]", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(response));
        Assert.Equal("invalid_request", run.GetProperty("error_class").GetString());
        Assert.Equal(0, run.GetProperty("attempt_count").GetInt32());
    }

    [Fact]
    public async Task MaxLength_400NamingPrompt()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "guarded-image", prompt = new string('a', 61) }, Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "prompt", "prompt_rejected");
    }

    [Fact]
    public async Task Cache_SameSeededImage_SecondIsHitWithSkippedCacheAttempt()
    {
        using var client = _factory.CreateClientWithKey();
        var request = new { model = "guarded-image", prompt = "a cached lighthouse", seed = 42, size = "256x256" };

        using var first = await client.PostAsJsonAsync("/v1/images/generations", request, Ct);
        using var second = await client.PostAsJsonAsync("/v1/images/generations", request, Ct);

        Assert.Null(HttpAssert.Header(first, "x-switchyard-cache"));
        Assert.Equal("hit", HttpAssert.Header(second, "x-switchyard-cache"));
        var firstImage = (await first.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct)).GetProperty("data")[0].GetProperty("b64_json").GetString();
        var secondImage = (await second.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>(Ct)).GetProperty("data")[0].GetProperty("b64_json").GetString();
        Assert.Equal(firstImage, secondImage);
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(second));
        var attempt = Assert.Single(run.GetProperty("attempts").EnumerateArray());
        Assert.Equal("cache_hit", attempt.GetProperty("skip_reason").GetString());
        Assert.Equal("success", run.GetProperty("outcome").GetString());
    }
}
