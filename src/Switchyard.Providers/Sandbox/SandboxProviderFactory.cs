using Microsoft.Extensions.Logging;
using Switchyard.Configuration;

namespace Switchyard.Providers.Sandbox;

/// <summary>Creates <c>type: sandbox</c> providers and checks their <c>latency</c>, <c>faults</c>, <c>retry_after</c> and <c>fault_seed</c>.</summary>
public sealed class SandboxProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value.</summary>
    public const string TypeName = "sandbox";

    /// <inheritdoc />
    public string Type => TypeName;

    /// <inheritdoc />
    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        return SandboxOptions.Validate(config.Settings, path);
    }

    /// <summary>Creates the provider, taking <see cref="TimeProvider"/> and <see cref="ILoggerFactory"/> from <paramref name="services"/> when registered.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        var timeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<SandboxProvider>();
        return new SandboxProvider(config, SandboxOptions.FromSettings(config.Settings, $"providers.{config.Name}"), timeProvider, logger);
    }
}
