using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Routing;

/// <summary>What a request's <c>model</c> names: a route, a preset on a route, or a concrete <c>provider/model</c>.</summary>
/// <param name="Name">The route's name, or <c>provider/model</c> for a direct call.</param>
/// <param name="Route">The route (a one-step route for a direct call).</param>
/// <param name="Preset">The preset, when the model named one.</param>
public sealed record ResolvedRoute(string Name, RouteConfig Route, PresetConfig? Preset)
{
    /// <summary>The route's modality.</summary>
    public Modality Modality => Route.Modality;
}
