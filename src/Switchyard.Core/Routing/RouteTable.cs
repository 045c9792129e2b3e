using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Routing;

/// <summary>Resolves the <c>model</c> of a request to a route, and lists what may be called.</summary>
public sealed class RouteTable
{
    private readonly SwitchyardConfig _config;
    private readonly ProviderRegistry _providers;

    /// <summary>Creates the table.</summary>
    public RouteTable(SwitchyardConfig config, ProviderRegistry providers)
    {
        _config = config;
        _providers = providers;
    }

    /// <summary>The configured routes.</summary>
    public IReadOnlyDictionary<string, RouteConfig> Routes => _config.Routes;

    /// <summary>The configured presets.</summary>
    public IReadOnlyDictionary<string, PresetConfig> Presets => _config.Presets;

    /// <summary>Resolves <paramref name="model"/> for <paramref name="modality"/>; null when it names nothing of that modality.</summary>
    public ResolvedRoute? Resolve(string model, Modality modality)
    {
        if (_config.Routes.TryGetValue(model, out var route))
        {
            return route.Modality == modality ? new ResolvedRoute(model, route, null) : null;
        }

        if (_config.Presets.TryGetValue(model, out var preset) && _config.Routes.TryGetValue(preset.Route, out var presetRoute))
        {
            return presetRoute.Modality == modality ? new ResolvedRoute(presetRoute.Name, presetRoute, preset) : null;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && _providers.TryGet(model[..slash], out var provider))
        {
            var providerModel = model[(slash + 1)..];
            var served = provider.ModelsFor(modality);
            if (served.Contains(providerModel, StringComparer.Ordinal))
            {
                var direct = new RouteConfig
                {
                    Name = model,
                    Modality = modality,
                    Chain = [new RouteStep(provider.Name, providerModel)],
                    OnContentRejected = ContentRejectedAction.Fail,
                };
                return new ResolvedRoute(model, direct, null);
            }
        }

        return null;
    }

    /// <summary>Every name a client may pass as <c>model</c>: routes, presets and <c>provider/model</c> pairs.</summary>
    public IEnumerable<(string Id, string OwnedBy)> CallableModels()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var route in _config.Routes.Keys.Order(StringComparer.Ordinal))
        {
            yield return (route, "switchyard-route");
        }

        foreach (var preset in _config.Presets.Keys.Order(StringComparer.Ordinal))
        {
            yield return (preset, "switchyard-preset");
        }

        foreach (var provider in _providers.All.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            foreach (var modality in Enum.GetValues<Modality>())
            {
                foreach (var model in provider.ModelsFor(modality))
                {
                    if (seen.Add($"{provider.Name}/{model}"))
                    {
                        yield return ($"{provider.Name}/{model}", provider.Name);
                    }
                }
            }
        }
    }
}
