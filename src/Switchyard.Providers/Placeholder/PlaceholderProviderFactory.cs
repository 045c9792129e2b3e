using Microsoft.Extensions.Logging;
using Switchyard.Configuration;

namespace Switchyard.Providers.Placeholder;

/// <summary>Creates <c>type: placeholder</c> providers, which take no settings of their own.</summary>
public sealed class PlaceholderProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value.</summary>
    public const string TypeName = "placeholder";

    /// <inheritdoc />
    public string Type => TypeName;

    /// <inheritdoc />
    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Settings.Keys
            .Order(StringComparer.Ordinal)
            .Select(key => new ConfigProblem($"{path}.{key.Replace(':', '.')}", "unknown setting; a placeholder provider takes no settings of its own"))
            .ToList();
    }

    /// <summary>Creates the provider, taking an <see cref="ILoggerFactory"/> from <paramref name="services"/> when registered.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        var logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<PlaceholderProvider>();
        return new PlaceholderProvider(config, logger);
    }
}
