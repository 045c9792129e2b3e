using System.Diagnostics.CodeAnalysis;
using Switchyard.Configuration;
using Switchyard.Providers;

namespace Switchyard.Routing;

/// <summary>The configured providers, by name.</summary>
public sealed class ProviderRegistry
{
    private readonly Dictionary<string, IGenerationProvider> _providers;

    /// <summary>Creates the registry from already-built providers.</summary>
    public ProviderRegistry(IEnumerable<IGenerationProvider> providers)
    {
        _providers = providers.ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    /// <summary>Builds every provider of <paramref name="config"/> with its type's factory.</summary>
    public static ProviderRegistry Build(SwitchyardConfig config, IEnumerable<IProviderFactory> factories, IServiceProvider services)
    {
        var byType = factories.ToDictionary(f => f.Type, StringComparer.Ordinal);
        return new ProviderRegistry(config.Providers.Values.Select(p => byType[p.Type].Create(p, services)));
    }

    /// <summary>All providers.</summary>
    public IEnumerable<IGenerationProvider> All => _providers.Values;

    /// <summary>Finds a provider by name.</summary>
    public bool TryGet(string name, [NotNullWhen(true)] out IGenerationProvider? provider) => _providers.TryGetValue(name, out provider);

    /// <summary>A provider by name; the config validation guarantees the names of route steps exist.</summary>
    public IGenerationProvider Get(string name) => _providers[name];
}
