using Microsoft.Extensions.Configuration;

namespace Switchyard.Configuration;

public sealed partial class ConfigLoader
{
    private static readonly string[] JobsKeys = ["workers", "lease", "poll_interval", "max_attempts", "retry", "max_items", "max_body_bytes", "grace_period", "concurrency"];
    private static readonly string[] JobsRetryKeys = ["base_delay", "max_delay"];
    private static readonly string[] JobsConcurrencyKeys = ["per_key", "per_route", "routes"];

    private JobsConfig ReadJobs(IConfigurationSection section, Dictionary<string, RouteConfig> routes)
    {
        CheckKeys(section, "jobs", JobsKeys);
        CheckKeys(section.GetSection("retry"), "jobs.retry", JobsRetryKeys);
        CheckKeys(section.GetSection("concurrency"), "jobs.concurrency", JobsConcurrencyKeys);
        var defaults = new JobsConfig();
        var lease = ReadDuration(section, "lease", "jobs.lease", defaults.Lease, TimeSpan.FromSeconds(1));
        var baseDelay = ReadDuration(section, "retry:base_delay", "jobs.retry.base_delay", defaults.RetryBaseDelay);
        var maxDelay = ReadDuration(section, "retry:max_delay", "jobs.retry.max_delay", defaults.RetryMaxDelay);
        if (maxDelay < baseDelay)
        {
            Problem("jobs.retry.max_delay", $"{Duration.Format(maxDelay)} is shorter than jobs.retry.base_delay ({Duration.Format(baseDelay)})");
        }

        var perRoute = ReadInt(section, "concurrency:per_route", "jobs.concurrency.per_route", defaults.PerRouteConcurrency, 1, 10_000);
        var routeLimits = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var child in section.GetSection("concurrency:routes").GetChildren())
        {
            var path = $"jobs.concurrency.routes.{child.Key}";
            if (!routes.ContainsKey(child.Key))
            {
                Problem(path, $"no route '{child.Key}'; routes: {string.Join(", ", routes.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            routeLimits[child.Key] = ReadInt(section.GetSection("concurrency:routes"), child.Key, path, perRoute, 1, 10_000);
        }

        return new JobsConfig
        {
            Workers = ReadInt(section, "workers", "jobs.workers", defaults.Workers, 0, 1024),
            Lease = lease,
            PollInterval = ReadDuration(section, "poll_interval", "jobs.poll_interval", defaults.PollInterval, TimeSpan.FromMilliseconds(10)),
            MaxAttempts = ReadInt(section, "max_attempts", "jobs.max_attempts", defaults.MaxAttempts, 1, 100),
            RetryBaseDelay = baseDelay,
            RetryMaxDelay = maxDelay,
            MaxItems = ReadInt(section, "max_items", "jobs.max_items", defaults.MaxItems, 1, 100_000),
            MaxBodyBytes = ReadInt(section, "max_body_bytes", "jobs.max_body_bytes", (int)defaults.MaxBodyBytes, 1024, 256 * 1024 * 1024),
            GracePeriod = ReadDuration(section, "grace_period", "jobs.grace_period", defaults.GracePeriod),
            PerKeyConcurrency = ReadInt(section, "concurrency:per_key", "jobs.concurrency.per_key", defaults.PerKeyConcurrency, 1, 10_000),
            PerRouteConcurrency = perRoute,
            RouteConcurrency = routeLimits,
        };
    }
}
