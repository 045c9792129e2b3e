using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Webhooks;

public sealed class WebhooksConfigTests
{
    private static readonly IProviderFactory[] Factories = [new NamedFactory("sandbox"), new NamedFactory("placeholder")];

    private static SwitchyardConfig Load(Dictionary<string, string?> values)
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ConfigLoader(Factories, _ => null).Load(root);
    }

    private static Dictionary<string, string?> Minimal() => new()
    {
        ["providers:a:type"] = "sandbox",
        ["routes:image:modality"] = "image",
        ["routes:image:chain:0:provider"] = "a",
    };

    [Fact]
    public void Load_NoWebhooksSection_StandardWebhooksDefaults()
    {
        var webhooks = Load(Minimal()).Webhooks;

        Assert.Equal(new WebhooksConfig { Timeout = TimeSpan.FromSeconds(10), MaxTries = 8, PollInterval = TimeSpan.FromSeconds(1), Concurrency = 4 }, webhooks);
    }

    [Fact]
    public void Load_WebhooksSection_Read()
    {
        var values = Minimal();
        values["webhooks:timeout"] = "3s";
        values["webhooks:max_tries"] = "5";
        values["webhooks:poll_interval"] = "250ms";
        values["webhooks:concurrency"] = "16";

        var webhooks = Load(values).Webhooks;

        Assert.Equal(new WebhooksConfig { Timeout = TimeSpan.FromSeconds(3), MaxTries = 5, PollInterval = TimeSpan.FromMilliseconds(250), Concurrency = 16 }, webhooks);
    }

    [Fact]
    public void Load_BadWebhooksSettings_EveryProblemWithItsPath()
    {
        var values = Minimal();
        values["webhooks:timeout"] = "10m";
        values["webhooks:max_tries"] = "0";
        values["webhooks:poll_interval"] = "soon";
        values["webhooks:concurrency"] = "1000";
        values["webhooks:secret"] = "x";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        Assert.Equal(
            ["webhooks.concurrency", "webhooks.max_tries", "webhooks.poll_interval", "webhooks.secret", "webhooks.timeout"],
            ex.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(ex.Problems, p => p.Message.Length == 0);
    }

    private sealed class NamedFactory(string type) : IProviderFactory
    {
        public string Type => type;

        public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => [];

        public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => throw new InvalidOperationException("not used");
    }
}
