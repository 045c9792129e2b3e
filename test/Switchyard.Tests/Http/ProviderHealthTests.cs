using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>A provider that rejects its credentials, or lacks a secret, is skipped as misconfigured and named by /readyz.</summary>
public sealed class ProviderHealthTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AuthFailure_FlagsProvider_NextRequestSkipsItAndReadyzNamesIt()
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();

        using var first = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi [fail:auth@sandbox-a]" } } }, Ct);
        using var second = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi again" } } }, Ct);

        Assert.Equal("sandbox-b", HttpAssert.Header(first, "x-switchyard-provider"));
        var firstRun = await HttpAssert.RunAsync(client, HttpAssert.RunId(first));
        Assert.Equal("auth", firstRun.GetProperty("attempts")[0].GetProperty("error_class").GetString());
        Assert.Equal(401, firstRun.GetProperty("attempts")[0].GetProperty("http_status").GetInt32());
        Assert.Equal(1, firstRun.GetProperty("attempts").EnumerateArray().Count(a => a.GetProperty("provider").GetString() == "sandbox-a"));

        Assert.Equal("sandbox-b", HttpAssert.Header(second, "x-switchyard-provider"));
        var secondRun = await HttpAssert.RunAsync(client, HttpAssert.RunId(second));
        var skipped = secondRun.GetProperty("attempts")[0];
        Assert.Equal("misconfigured", skipped.GetProperty("skip_reason").GetString());
        Assert.Contains("rejected its credentials", skipped.GetProperty("message").GetString(), StringComparison.Ordinal);

        var ready = await client.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.StartsWith("misconfigured", ready.GetProperty("checks").GetProperty("provider:sandbox-a").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingSecret_ProviderSkippedNamingVariable_ReadyzNamesIt()
    {
        var yaml = GatewayFactory.DefaultYaml.Replace(
            "  sandbox-a:\n    type: sandbox\n    latency: 0ms\n",
            "  sandbox-a:\n    type: sandbox\n    latency: 0ms\n    api_key: ${SWITCHYARD_TEST_SECRET_THAT_IS_NOT_SET}\n",
            StringComparison.Ordinal);
        Assert.Contains("SWITCHYARD_TEST_SECRET_THAT_IS_NOT_SET", yaml, StringComparison.Ordinal);
        using var factory = new GatewayFactory(yaml);
        using var client = factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a fox", size = "256x256" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox-b", HttpAssert.Header(response, "x-switchyard-provider"));
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(response));
        var skipped = run.GetProperty("attempts")[0];
        Assert.Equal("misconfigured", skipped.GetProperty("skip_reason").GetString());
        Assert.Contains("SWITCHYARD_TEST_SECRET_THAT_IS_NOT_SET", skipped.GetProperty("message").GetString(), StringComparison.Ordinal);
        var ready = await client.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.Contains("SWITCHYARD_TEST_SECRET_THAT_IS_NOT_SET", ready.GetProperty("checks").GetProperty("provider:sandbox-a").GetString(), StringComparison.Ordinal);
    }
}
