using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;
using Switchyard.Routing;

namespace Switchyard.Core.Tests.Routing;

public sealed class CacheAndPromptTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EngineHarness Cached(params ScriptedProvider[] providers) =>
        new(ContentRejectedAction.Next, c => c, r => r with { CacheTtl = TimeSpan.FromMinutes(5) }, providers);

    [Fact]
    public async Task Cache_SameSeededRequest_SecondServedFromCacheWithoutCall()
    {
        var a = new ScriptedProvider("a");
        var h = Cached(a);
        var request = new ImageRequest { Prompt = "a lighthouse", Seed = 7 };

        await h.RunImageAsync("run_1", request, Ct);
        var second = await h.RunImageAsync("run_2", request, Ct);

        Assert.Equal(1, a.Calls);
        Assert.True(second.CacheHit);
        Assert.Equal(RunOutcome.Success, second.Run.Outcome);
        Assert.Equal("a", second.Run.ServedProvider);
        var attempt = Assert.Single(await h.Ledger.GetAttemptsAsync("run_2", Ct));
        Assert.Equal(AttemptStatus.Skipped, attempt.Status);
        Assert.Equal(SkipReason.CacheHit, attempt.SkipReason);
    }

    [Fact]
    public async Task Cache_NoSeed_NotCachedBecauseOutputIsRandom()
    {
        var a = new ScriptedProvider("a");
        var h = Cached(a);

        await h.RunImageAsync("run_1", new ImageRequest { Prompt = "x" }, Ct);
        var second = await h.RunImageAsync("run_2", new ImageRequest { Prompt = "x" }, Ct);

        Assert.Equal(2, a.Calls);
        Assert.False(second.CacheHit);
    }

    [Fact]
    public async Task Cache_DifferentOptions_Miss()
    {
        var a = new ScriptedProvider("a");
        var h = Cached(a);
        h.Inspector.Size = (512, 512);

        await h.RunImageAsync("run_1", new ImageRequest { Prompt = "x", Seed = 1, Width = 512, Height = 512 }, Ct);
        await h.RunImageAsync("run_2", new ImageRequest { Prompt = "x", Seed = 2, Width = 512, Height = 512 }, Ct);
        await h.RunImageAsync("run_3", new ImageRequest { Prompt = "y", Seed = 1, Width = 512, Height = 512 }, Ct);
        var repeat = await h.RunImageAsync("run_4", new ImageRequest { Prompt = "y", Seed = 1, Width = 512, Height = 512 }, Ct);

        Assert.Equal(3, a.Calls);
        Assert.True(repeat.CacheHit);
    }

    [Fact]
    public async Task Cache_ExpiresAfterTtlOnTheClock()
    {
        var a = new ScriptedProvider("a");
        var h = Cached(a);
        var request = new ImageRequest { Prompt = "a lighthouse", Seed = 7 };

        await h.RunImageAsync("run_1", request, Ct);
        h.Time.Advance(TimeSpan.FromMinutes(5));
        var later = await h.RunImageAsync("run_2", request, Ct);

        Assert.Equal(2, a.Calls);
        Assert.False(later.CacheHit);
    }

    [Fact]
    public async Task Cache_FailedRunsAreNotCached()
    {
        var a = new ScriptedProvider("a").Then(ProviderFailure.Of(ErrorClass.Unavailable, "down"));
        var h = Cached(a);
        var request = new ImageRequest { Prompt = "a lighthouse", Seed = 7 };

        await h.RunImageAsync("run_1", request, Ct);
        var second = await h.RunImageAsync("run_2", request, Ct);

        Assert.Equal(2, a.Calls);
        Assert.False(second.CacheHit);
        Assert.Equal(RunOutcome.Success, second.Run.Outcome);
    }

    [Fact]
    public async Task PromptLengthPerProvider_LongPromptSkipsThatProviderAsNotCapable()
    {
        var a = new ScriptedProvider("a");
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, c => c, r => r with { Prompt = new PromptRules { MaxLengthByProvider = new Dictionary<string, int> { ["a"] = 10 } } }, a, b);

        var result = await h.RunImageAsync("run_1", new ImageRequest { Prompt = "a lighthouse" }, Ct);

        Assert.Equal(0, a.Calls);
        Assert.Equal("b", result.Run.ServedProvider);
        var skipped = (await h.Ledger.GetAttemptsAsync("run_1", Ct))[0];
        Assert.Equal(SkipReason.NotCapable, skipped.SkipReason);
        Assert.Contains("at most 10", skipped.Message, StringComparison.Ordinal);
    }

    private static RouteConfig Route(PromptRules rules) => new()
    {
        Name = "img",
        Modality = Modality.Image,
        Chain = [new RouteStep("a", null)],
        Prompt = rules,
    };

    private static PromptGuard Guard(RouteConfig route) => new(new SwitchyardConfig
    {
        Storage = new StorageConfig { Database = "sqlite:x", Artifacts = "file:x" },
        Server = new ServerConfig(),
        Providers = new Dictionary<string, ProviderConfig>(),
        Routes = new Dictionary<string, RouteConfig> { [route.Name] = route },
        Presets = new Dictionary<string, PresetConfig>(),
        Outbound = new OutboundConfig(),
    });

    [Fact]
    public void PromptGuard_DenyPattern_RejectsNamingTheRule()
    {
        var route = Route(new PromptRules { Deny = ["\\bpassword\\b", "celebrity"] });

        var verdict = Guard(route).Check(route, "A portrait of a CELEBRITY");

        Assert.False(verdict.Accepted);
        Assert.Equal("deny[1]", verdict.Rule);
        Assert.Contains("routes.img.prompt.deny[1]", verdict.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PromptGuard_MaxLength_RejectsAfterCleaning()
    {
        var route = Route(new PromptRules { MaxLength = 5 });
        var guard = Guard(route);

        Assert.True(guard.Check(route, "  abcde \u200b ").Accepted);
        var verdict = guard.Check(route, "abcdef");
        Assert.False(verdict.Accepted);
        Assert.Equal("max_length", verdict.Rule);
    }

    [Fact]
    public void PromptGuard_Clean_RemovesControlAndInvisibleCharactersKeepsLayout()
    {
        var route = Route(new PromptRules());

        var verdict = Guard(route).Check(route, "\u0007def  main():\n\treturn\u200b 1\u202e ");

        Assert.Equal("def  main():\n\treturn 1", verdict.Prompt);
    }
}
