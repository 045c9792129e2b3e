using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Cloudflare;
using Switchyard.Providers.Tests.Emulators;

namespace Switchyard.Providers.Tests.Cloudflare;

public sealed class CloudflareConfigurationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SwitchyardConfig Load(Dictionary<string, string?> provider, Dictionary<string, string>? environment = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["routes:image:modality"] = "image",
            ["routes:image:chain:0:provider"] = "cf",
        };
        foreach (var (key, value) in provider)
        {
            values["providers:cf:" + key] = value;
        }

        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ConfigLoader(ProviderCatalog.Factories, name => environment?.GetValueOrDefault(name)).Load(root);
    }

    [Fact]
    public async Task Readiness_AccountIdVariableUnset_MisconfiguredNamingSettingAndVariable_NoCallMade()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var config = Load(
            new() { ["type"] = "cloudflare-workers-ai", ["base_url"] = emulator.BaseUrl, ["account_id"] = "${CLOUDFLARE_ACCOUNT_ID}", ["api_key"] = "${CLOUDFLARE_API_TOKEN}" },
            new() { ["CLOUDFLARE_API_TOKEN"] = CloudflareEmulator.Token }).Providers["cf"];
        var provider = ProviderCatalog.Factories.Single(f => f.Type == "cloudflare-workers-ai").Create(config, new EmptyServices());

        Assert.False(provider.Readiness.IsReady);
        Assert.Equal(
            "account_id is missing (CLOUDFLARE_ACCOUNT_ID is not set in this environment): the Workers AI binding is absent; set the account id and restart",
            provider.Readiness.Problem);
        var result = await provider.GenerateImageAsync(null, CloudflareFixture.Image(), Ct);
        Assert.Equal(ErrorClass.Misconfigured, result.Failure!.Class);
        Assert.Contains("CLOUDFLARE_ACCOUNT_ID", result.Failure.Message, StringComparison.Ordinal);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public async Task Readiness_TokenVariableUnset_MisconfiguredNamingIt()
    {
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        var config = Load(
            new() { ["type"] = "cloudflare-workers-ai", ["base_url"] = emulator.BaseUrl, ["account_id"] = "${CLOUDFLARE_ACCOUNT_ID}", ["api_key"] = "${CLOUDFLARE_API_TOKEN}" },
            new() { ["CLOUDFLARE_ACCOUNT_ID"] = CloudflareEmulator.Account }).Providers["cf"];
        var provider = ProviderCatalog.Factories.Single(f => f.Type == "cloudflare-workers-ai").Create(config, new EmptyServices());

        Assert.Equal("api_key is missing (CLOUDFLARE_API_TOKEN is not set in this environment): set the Workers AI API token and restart", provider.Readiness.Problem);
        var events = await TestProviders.CollectAsync(provider.StreamChatAsync(null, TestProviders.Chat("hi"), Ct));
        Assert.Equal(ErrorClass.Misconfigured, Assert.Single(events).Failure!.Class);
        Assert.Empty(emulator.Requests);
    }

    [Fact]
    public void Readiness_BothUnset_NamesBoth()
    {
        var config = Load(new() { ["type"] = "cloudflare-workers-ai", ["account_id"] = "${CF_ACCOUNT_ID}", ["api_key"] = "${CF_TOKEN}" }).Providers["cf"];
        var provider = ProviderCatalog.Factories.Single(f => f.Type == "cloudflare-workers-ai").Create(config, new EmptyServices());

        Assert.Contains("account_id is missing (CF_ACCOUNT_ID is not set", provider.Readiness.Problem, StringComparison.Ordinal);
        Assert.Contains("api_key is missing (CF_TOKEN is not set", provider.Readiness.Problem, StringComparison.Ordinal);
        Assert.Equal(["CF_ACCOUNT_ID", "CF_TOKEN"], config.MissingSecrets.Order());
    }

    [Fact]
    public void Readiness_AllPresent_ReadyWithDefaultBaseUrl()
    {
        var config = Load(
            new() { ["type"] = "cloudflare-workers-ai", ["account_id"] = "${CF_ACCOUNT_ID}", ["api_key"] = "${CF_TOKEN}" },
            new() { ["CF_ACCOUNT_ID"] = CloudflareEmulator.Account, ["CF_TOKEN"] = "t" }).Providers["cf"];

        var provider = ProviderCatalog.Factories.Single(f => f.Type == "cloudflare-workers-ai").Create(config, new EmptyServices());

        Assert.True(provider.Readiness.IsReady);
        Assert.Equal("cloudflare-workers-ai", provider.Type);
    }

    [Fact]
    public void Validate_MissingKeysBadAccountAndUnknownSettings_EveryProblemWithItsPath()
    {
        var exception = Assert.Throws<ConfigException>(() => Load(new()
        {
            ["type"] = "cloudflare-workers-ai",
            ["speech_lang"] = "English please",
            ["binding"] = "AI",
        }));
        var problems = exception.Problems.Select(p => p.Path).ToList();
        Assert.Contains("providers.cf.account_id", problems);
        Assert.Contains("providers.cf.api_key", problems);
        Assert.Contains("providers.cf.speech_lang", problems);
        Assert.Contains("providers.cf.binding", problems);

        var bad = Assert.Throws<ConfigException>(() => Load(new() { ["type"] = "cloudflare-workers-ai", ["account_id"] = "../../zones", ["api_key"] = "${T}" }));
        Assert.Equal("providers.cf.account_id", Assert.Single(bad.Problems).Path);
    }
}
