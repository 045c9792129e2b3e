using Microsoft.Extensions.Logging;
using Switchyard.Configuration;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Cloudflare;

/// <summary>Creates <c>type: cloudflare-workers-ai</c> providers and checks <c>account_id</c>, <c>api_key</c> and <c>speech_lang</c>.</summary>
internal sealed class CloudflareWorkersAiProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value.</summary>
    public const string TypeName = "cloudflare-workers-ai";

    public string Type => TypeName;

    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        return CloudflareWorkersAiOptions.Validate(config, path);
    }

    /// <summary>Creates the provider with its own HTTP client; <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> come from <paramref name="services"/> when registered.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        var timeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<CloudflareWorkersAiProvider>();
        return new CloudflareWorkersAiProvider(config, CloudflareWorkersAiOptions.FromConfig(config), UpstreamHttp.CreateClient(), timeProvider, logger);
    }
}
