using Switchyard.Configuration;
using Switchyard.Providers.Stability;
using Switchyard.Providers.Tests.Emulators;
using Switchyard.Providers.Tests.OpenAI;

namespace Switchyard.Providers.Tests.Stability;

/// <summary>The zero-cost probe: <c>GET /v1/user/balance</c>, never a generation.</summary>
public sealed class StabilityProbeTests
{
    private const string WrongKey = "sk-wrong-stability-key-0123";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IProviderProbe Probe(string baseUrl, string key = StabilityEmulator.Key) => new StabilityProvider(
        new ProviderConfig { Name = "stability", Type = StabilityProviderFactory.TypeName, BaseUrl = baseUrl, ApiKey = new Secret("STABILITY_API_KEY", key) },
        new StabilityOptions(),
        new HttpClient(),
        TimeProvider.System);

    [Fact]
    public async Task Ok_ReportsCredits()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Probe(emulator.Root).ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.Equal("reachable, key accepted, credits 42.5", result.Detail);
        Assert.Null(result.ServedModels);
        var request = Assert.Single(emulator.Requests);
        Assert.Equal(("GET", "/v1/user/balance"), (request.Method, request.Path));
        Assert.Equal("Bearer " + StabilityEmulator.Key, request.Header("authorization"));
    }

    [Fact]
    public async Task NoCredits_Fails_SayingEveryGenerationWould402()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Credits = 0;

        var result = await Probe(emulator.Root).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Contains("no credits", result.Detail, StringComparison.Ordinal);
        Assert.Contains("add credits", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongKey_Rejected_NamingTheVariable_WithoutKeyText()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        var result = await Probe(emulator.Root, WrongKey).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal("the API key was rejected (HTTP 401: Incorrect API key provided)", result.Detail);
        Assert.Equal("check the key in ${STABILITY_API_KEY} — is it for this provider and not revoked?", result.Fix);
        Assert.DoesNotContain(WrongKey, result.Detail + result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerError_NamedWithItsClass()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();
        emulator.Enqueue(StabilityEmulator.Error(500, "internal_error", "something broke"));

        var result = await Probe(emulator.Root).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith("unavailable: stability: Stability answered 500", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnresolvableHost_SaysItDoesNotResolve()
    {
        var result = await Probe("http://nonexistent.invalid").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal("base_url host nonexistent.invalid does not resolve", result.Detail);
        Assert.StartsWith("check providers.stability.base_url", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedPort_SaysNothingListens()
    {
        var port = OpenAITestProviders.ClosedPort();

        var result = await Probe($"http://127.0.0.1:{port}").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal($"nothing listens at http://127.0.0.1:{port} (connection refused)", result.Detail);
    }

    [Fact]
    public async Task Probes_NeverCallAGenerateEndpoint()
    {
        await using var emulator = await StabilityEmulator.StartNewAsync();

        await Probe(emulator.Root).ProbeAsync(Ct);
        await Probe(emulator.Root, WrongKey).ProbeAsync(Ct);

        Assert.Equal(2, emulator.Requests.Count);
        Assert.All(emulator.Requests, r => Assert.Equal(("GET", "/v1/user/balance"), (r.Method, r.Path)));
    }
}
