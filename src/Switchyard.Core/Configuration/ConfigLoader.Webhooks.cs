using Microsoft.Extensions.Configuration;

namespace Switchyard.Configuration;

public sealed partial class ConfigLoader
{
    private static readonly string[] WebhooksKeys = ["timeout", "max_tries", "poll_interval", "concurrency"];

    private WebhooksConfig ReadWebhooks(IConfigurationSection section)
    {
        CheckKeys(section, "webhooks", WebhooksKeys);
        var defaults = new WebhooksConfig();
        var timeout = ReadDuration(section, "timeout", "webhooks.timeout", defaults.Timeout, TimeSpan.FromMilliseconds(100));
        if (timeout > TimeSpan.FromMinutes(5))
        {
            Problem("webhooks.timeout", $"'{section["timeout"]}' is longer than 5m; a receiver should answer at once and do its work afterwards");
            timeout = defaults.Timeout;
        }

        var pollInterval = ReadDuration(section, "poll_interval", "webhooks.poll_interval", defaults.PollInterval, TimeSpan.FromMilliseconds(50));
        if (pollInterval > TimeSpan.FromMinutes(1))
        {
            Problem("webhooks.poll_interval", $"'{section["poll_interval"]}' is longer than 1m; retries would be late by up to that much");
            pollInterval = defaults.PollInterval;
        }

        return new WebhooksConfig
        {
            Timeout = timeout,
            MaxTries = ReadInt(section, "max_tries", "webhooks.max_tries", defaults.MaxTries, 1, 20),
            PollInterval = pollInterval,
            Concurrency = ReadInt(section, "concurrency", "webhooks.concurrency", defaults.Concurrency, 1, 64),
        };
    }
}
