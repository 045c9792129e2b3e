using Switchyard.Tests.Common.Emulators;

namespace Switchyard.Providers.Tests.OpenAI;

/// <summary>The zero-cost probe (<c>GET /models</c>) against the loopback emulator, an unresolvable host and a closed port.</summary>
public sealed class OpenAIProbeTests : IAsyncLifetime
{
    private const string WrongKey = "sk-wrong-key-9876543210fedcba";

    private OpenAIEmulator _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _emulator = await OpenAIEmulator.StartAsync(Ct);
        _emulator.RequiredKey = OpenAITestProviders.Key;
    }

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private static IProviderProbe Probe(string baseUrl, string type = "openai", string? key = OpenAITestProviders.Key) =>
        Assert.IsAssignableFrom<IProviderProbe>(OpenAITestProviders.Create(baseUrl, type, key));

    private static void AssertNoKey(ProbeResult result, string key)
    {
        foreach (var text in new[] { result.Detail, result.Fix ?? "" })
        {
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
            Assert.DoesNotContain(key[..6], text, StringComparison.Ordinal);
            Assert.DoesNotContain(key[^6..], text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("openai-compatible")]
    public async Task Ok_ListsModelsWithBearerKey_AsServedModels(string type)
    {
        _emulator.ListedModels = ["gpt-4o-mini", "dall-e-3", "tts-1"];

        var result = await Probe(_emulator.BaseUrl, type).ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.Equal("reachable, key accepted, 3 models listed", result.Detail);
        Assert.Equal(["gpt-4o-mini", "dall-e-3", "tts-1"], result.ServedModels);
        var request = Assert.Single(_emulator.Requests);
        Assert.Equal(("GET", "/v1/models"), (request.Method, request.Path));
        Assert.Equal("Bearer " + OpenAITestProviders.Key, request.Header("authorization"));
    }

    [Fact]
    public async Task Compatible_WithoutKey_SaysNoKeyConfigured()
    {
        _emulator.RequiredKey = null;
        _emulator.ListedModels = ["llama3.2:3b", "qwen2.5:7b"];

        var result = await Probe(_emulator.BaseUrl, "openai-compatible", key: null).ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.Equal("reachable (no key configured), 2 models listed", result.Detail);
        Assert.Equal(["llama3.2:3b", "qwen2.5:7b"], result.ServedModels);
        Assert.Null(Assert.Single(_emulator.Requests).Header("authorization"));
    }

    [Fact]
    public async Task AimlApi_SaysItsCatalogIsPublic()
    {
        var result = await Probe(_emulator.BaseUrl, "aimlapi").ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.Contains("catalog is public", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_401_RejectedNamingTheVariable_WithoutAnyKeyText()
    {
        var result = await Probe(_emulator.BaseUrl, key: WrongKey).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith("the API key was rejected (HTTP 401: Incorrect API key provided: [redacted]", result.Detail, StringComparison.Ordinal);
        Assert.Equal("check the key in ${OPENAI_API_KEY} — is it for this provider and not revoked?", result.Fix);
        Assert.Null(result.ServedModels);
        AssertNoKey(result, WrongKey);
    }

    [Fact]
    public async Task Compatible_401_WithoutKey_SaysTheServerWantsOne()
    {
        var result = await Probe(_emulator.BaseUrl, "openai-compatible", key: null).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith("the server requires an API key and none is configured (HTTP 401", result.Detail, StringComparison.Ordinal);
        Assert.Contains("add api_key", result.Fix, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(403, "the API key was rejected (HTTP 403")]
    [InlineData(503, "unavailable: openai: HTTP 503")]
    [InlineData(404, "misconfigured: openai: HTTP 404")]
    public async Task OtherStatuses_NamedWithTheirClass(int status, string expected)
    {
        _emulator.Enqueue(new ScriptedResponse(status, "{\"error\":{\"message\":\"nope\",\"type\":\"x\",\"param\":null,\"code\":null}}"));

        var result = await Probe(_emulator.BaseUrl).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith(expected, result.Detail, StringComparison.Ordinal);
        Assert.NotNull(result.Fix);
        AssertNoKey(result, OpenAITestProviders.Key);
    }

    [Fact]
    public async Task NotAList_Fails()
    {
        _emulator.Enqueue(new ScriptedResponse(200, "<html>hello</html>", "text/html"));

        var result = await Probe(_emulator.BaseUrl).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Contains("not a model list", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnresolvableHost_SaysItDoesNotResolve()
    {
        var result = await Probe("http://nonexistent.invalid/v1").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal("base_url host nonexistent.invalid does not resolve", result.Detail);
        Assert.StartsWith("check providers.openai.base_url", result.Fix, StringComparison.Ordinal);
        AssertNoKey(result, OpenAITestProviders.Key);
    }

    [Fact]
    public async Task ClosedPort_SaysNothingListens()
    {
        var port = OpenAITestProviders.ClosedPort();

        var result = await Probe($"http://127.0.0.1:{port}/v1").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal($"nothing listens at http://127.0.0.1:{port} (connection refused)", result.Detail);
        Assert.StartsWith("check providers.openai.base_url", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probes_NeverCallAGenerationEndpoint()
    {
        await Probe(_emulator.BaseUrl).ProbeAsync(Ct);
        await Probe(_emulator.BaseUrl, key: WrongKey).ProbeAsync(Ct);
        await Probe(_emulator.BaseUrl, "openai-compatible").ProbeAsync(Ct);
        await Probe(_emulator.BaseUrl, "aimlapi").ProbeAsync(Ct);

        Assert.Equal(4, _emulator.Requests.Count);
        Assert.All(_emulator.Requests, r => Assert.Equal(("GET", "/v1/models"), (r.Method, r.Path)));
    }
}
