using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Sandbox;

namespace Switchyard.Providers.Tests.Sandbox;

public sealed class SandboxOptionsTests
{
    private static readonly SandboxProviderFactory Factory = new();

    [Fact]
    public void Validate_DefaultConfigSettings_NoProblems()
    {
        var config = TestProviders.Config("sandbox-a", "sandbox", new()
        {
            ["latency"] = "120ms",
            ["faults:unavailable"] = "0.08",
            ["faults:rate_limited"] = "0.04",
            ["faults:timeout"] = "0.02",
            ["faults:content_rejected"] = "0.02",
            ["retry_after"] = "1s",
        });

        Assert.Empty(Factory.Validate(config, "providers.sandbox-a"));
        Assert.Empty(Factory.Validate(TestProviders.Config("sandbox-b", "sandbox"), "providers.sandbox-b"));
    }

    [Fact]
    public void Validate_BadKeysAndValues_ReportsEveryOneWithItsPath()
    {
        var config = TestProviders.Config("sandbox-a", "sandbox", new()
        {
            ["latency"] = "soon",
            ["faults:unvailable"] = "0.1",
            ["faults:auth"] = "1.5",
            ["retry_after"] = "-1s",
            ["fault_seed"] = "abc",
            ["colour"] = "blue",
        });

        var problems = Factory.Validate(config, "providers.sandbox-a").ToList();

        Assert.Equal(6, problems.Count);
        AssertProblem(problems, "providers.sandbox-a.latency", "not a duration");
        AssertProblem(problems, "providers.sandbox-a.faults.unvailable", "unknown fault class; expected one of rate_limited, unavailable, timeout, content_rejected, auth");
        AssertProblem(problems, "providers.sandbox-a.faults.auth", "expected a number from 0 to 1");
        AssertProblem(problems, "providers.sandbox-a.retry_after", "not a duration");
        AssertProblem(problems, "providers.sandbox-a.fault_seed", "not an integer");
        AssertProblem(problems, "providers.sandbox-a.colour", "unknown setting");
    }

    [Fact]
    public void Validate_RatiosAboveOne_ReportsTheSum()
    {
        var config = TestProviders.Config("s", "sandbox", new() { ["faults:unavailable"] = "0.7", ["faults:timeout"] = "0.5" });

        var problem = Assert.Single(Factory.Validate(config, "providers.s"));

        Assert.Equal("providers.s.faults", problem.Path);
        Assert.Contains("add up to 1.2", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FaultsNotAMap_Reported()
    {
        var config = TestProviders.Config("s", "sandbox", new() { ["faults"] = "lots" });

        Assert.Equal("providers.s.faults", Assert.Single(Factory.Validate(config, "providers.s")).Path);
    }

    [Fact]
    public void FromSettings_ReadsEveryValue()
    {
        var options = SandboxOptions.FromSettings(new Dictionary<string, string>
        {
            ["latency"] = "250ms",
            ["faults:rate_limited"] = "0.25",
            ["retry_after"] = "3s",
            ["fault_seed"] = "42",
        });

        Assert.Equal(TimeSpan.FromMilliseconds(250), options.Latency);
        Assert.Equal(0.25, options.Faults[ErrorClass.RateLimited]);
        Assert.Equal(TimeSpan.FromSeconds(3), options.RetryAfter);
        Assert.Equal(42, options.FaultSeed);
    }

    [Fact]
    public void FromSettings_Invalid_ThrowsWithEveryProblem()
    {
        var exception = Assert.Throws<ConfigException>(() => SandboxOptions.FromSettings(new Dictionary<string, string> { ["latency"] = "x", ["y"] = "z" }));

        Assert.Equal(2, exception.Problems.Count);
    }

    [Fact]
    public void Create_WithoutServices_UsesDefaults()
    {
        var provider = Factory.Create(TestProviders.Config("sandbox-a", "sandbox", new() { ["latency"] = "5ms" }), new EmptyServices());

        Assert.Equal("sandbox", provider.Type);
        Assert.Equal("sandbox-a", provider.Name);
        Assert.True(provider.Readiness.IsReady);
    }

    private static void AssertProblem(List<ConfigProblem> problems, string path, string message)
    {
        var problem = Assert.Single(problems, p => p.Path == path);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
    }
}
