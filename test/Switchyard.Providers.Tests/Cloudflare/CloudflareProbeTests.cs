using Switchyard.Providers.Tests.Emulators;
using Switchyard.Providers.Tests.OpenAI;

namespace Switchyard.Providers.Tests.Cloudflare;

/// <summary>The zero-cost probe: token verification and the account's model search, never <c>/ai/run</c>.</summary>
public sealed class CloudflareProbeTests
{
    private const string WrongToken = "cf-wrong-token-0123456789";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IProviderProbe Probe(string baseUrl, string account = CloudflareEmulator.Account, string token = CloudflareEmulator.Token) =>
        CloudflareFixture.Provider(CloudflareFixture.Config(baseUrl, account, token));

    [Fact]
    public async Task Ok_VerifiesTokenThenListsTheAccountsModels()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();

        var result = await Probe(emulator.BaseUrl).ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.Equal($"reachable, token active, account {CloudflareEmulator.Account} lists 7 Workers AI models", result.Detail);
        Assert.Equal(emulator.ListedModels, result.ServedModels);
        Assert.Equal(["/client/v4/user/tokens/verify", $"/client/v4/accounts/{CloudflareEmulator.Account}/ai/models/search"], emulator.Requests.Select(r => r.Path));
        Assert.All(emulator.Requests, r => Assert.Equal("Bearer " + CloudflareEmulator.Token, r.Header("authorization")));
    }

    [Fact]
    public async Task Ok_FollowsPages()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.ListedModels = [.. Enumerable.Range(0, 130).Select(i => $"@cf/test/model-{i}")];

        var result = await Probe(emulator.BaseUrl).ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.Equal(130, result.ServedModels!.Count);
        Assert.Equal(3, emulator.Requests.Count);
    }

    [Fact]
    public async Task AccountOwnedToken_FailsUserVerify_ButListingDecides()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.AccountOwnedToken = true;

        var result = await Probe(emulator.BaseUrl).ProbeAsync(Ct);

        Assert.True(result.Ok, result.Detail);
        Assert.StartsWith("reachable, token accepted", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongToken_Rejected_NamingTheVariable_WithoutTokenText()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();

        var result = await Probe(emulator.BaseUrl, token: WrongToken).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal("the API token was rejected (HTTP 401: 10000 Authentication error)", result.Detail);
        Assert.Contains("${CLOUDFLARE_API_TOKEN}", result.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongToken, result.Detail + result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisabledToken_NamedAsSuch()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.TokenStatus = "expired";

        var result = await Probe(emulator.BaseUrl).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith("the API token is expired", result.Detail, StringComparison.Ordinal);
        Assert.Contains("${CLOUDFLARE_API_TOKEN}", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedAccount_7003_NotFound_NamingAccountId()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();

        var result = await Probe(emulator.BaseUrl, account: "my-account").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith("account my-account was not found (HTTP 400: 7003 Could not route", result.Detail, StringComparison.Ordinal);
        Assert.StartsWith("check providers.cf.account_id", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OtherAccount_ActiveTokenWithoutAccess_NamesPermissionAndAccount()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        const string other = "fedcba9876543210fedcba9876543210";

        var result = await Probe(emulator.BaseUrl, account: other).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith($"the API token is valid but may not use Workers AI on account {other} (HTTP 403", result.Detail, StringComparison.Ordinal);
        Assert.Contains("${CLOUDFLARE_API_TOKEN}", result.Fix, StringComparison.Ordinal);
        Assert.Contains("account_id", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnresolvableHost_SaysItDoesNotResolve()
    {
        var result = await Probe("http://nonexistent.invalid/client/v4").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal("base_url host nonexistent.invalid does not resolve", result.Detail);
        Assert.StartsWith("check providers.cf.base_url", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedPort_SaysNothingListens()
    {
        var port = OpenAITestProviders.ClosedPort();

        var result = await Probe($"http://127.0.0.1:{port}/client/v4").ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal($"nothing listens at http://127.0.0.1:{port} (connection refused)", result.Detail);
    }

    [Fact]
    public async Task Probes_NeverRunAModel()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();

        await Probe(emulator.BaseUrl).ProbeAsync(Ct);
        await Probe(emulator.BaseUrl, token: WrongToken).ProbeAsync(Ct);
        await Probe(emulator.BaseUrl, account: "bad").ProbeAsync(Ct);

        Assert.NotEmpty(emulator.Requests);
        Assert.All(emulator.Requests, r =>
        {
            Assert.Equal("GET", r.Method);
            Assert.DoesNotContain("/ai/run/", r.Path, StringComparison.Ordinal);
        });
    }
}
