using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Configuration;

public sealed class ConfigLoaderJobsTests
{
    private static SwitchyardConfig Load(Dictionary<string, string?> extra)
    {
        var values = new Dictionary<string, string?>
        {
            ["providers:a:type"] = "sandbox",
            ["routes:image:modality"] = "image",
            ["routes:image:chain:0:provider"] = "a",
        };
        foreach (var (key, value) in extra)
        {
            values[key] = value;
        }

        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ConfigLoader([new Factory()], _ => null).Load(root);
    }

    [Fact]
    public void Load_JobsSection_ReadsEverySetting()
    {
        var config = Load(new()
        {
            ["jobs:workers"] = "6",
            ["jobs:lease"] = "45s",
            ["jobs:max_attempts"] = "5",
            ["jobs:retry:base_delay"] = "1s",
            ["jobs:retry:max_delay"] = "30s",
            ["jobs:max_items"] = "50",
            ["jobs:grace_period"] = "10s",
            ["jobs:concurrency:per_key"] = "2",
            ["jobs:concurrency:per_route"] = "3",
            ["jobs:concurrency:routes:image"] = "1",
        }).Jobs;

        Assert.Equal(6, config.Workers);
        Assert.Equal(TimeSpan.FromSeconds(45), config.Lease);
        Assert.Equal(5, config.MaxAttempts);
        Assert.Equal(TimeSpan.FromSeconds(30), config.RetryMaxDelay);
        Assert.Equal(50, config.MaxItems);
        Assert.Equal(TimeSpan.FromSeconds(10), config.GracePeriod);
        Assert.Equal(2, config.PerKeyConcurrency);
        Assert.Equal(1, config.ConcurrencyOf("image"));
        Assert.Equal(3, config.ConcurrencyOf("text"));
    }

    [Fact]
    public void Load_BadJobsSettings_ReportsEachWithItsPath()
    {
        var ex = Assert.Throws<ConfigException>(() => Load(new()
        {
            ["jobs:workers"] = "-1",
            ["jobs:lease"] = "10ms",
            ["jobs:max_attempts"] = "0",
            ["jobs:retry:base_delay"] = "1m",
            ["jobs:retry:max_delay"] = "1s",
            ["jobs:concurrency:routes:nope"] = "2",
            ["jobs:lanes"] = "3",
        }));

        Assert.Equal(
            ["jobs.concurrency.routes.nope", "jobs.lanes", "jobs.lease", "jobs.max_attempts", "jobs.retry.max_delay", "jobs.workers"],
            ex.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
    }

    private sealed class Factory : IProviderFactory
    {
        public string Type => "sandbox";

        public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => [];

        public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => throw new InvalidOperationException("not used");
    }
}
