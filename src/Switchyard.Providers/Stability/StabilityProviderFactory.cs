using Microsoft.Extensions.Logging;
using Switchyard.Configuration;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Stability;

/// <summary>Creates <c>type: stability</c> providers and checks <c>api_key</c>, <c>accept</c> and <c>client_id</c>.</summary>
internal sealed class StabilityProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value.</summary>
    public const string TypeName = "stability";

    public string Type => TypeName;

    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = StabilityOptions.Validate(config, path).ToList();
        if (config.Models.TryGetValue(Generation.Modality.Image, out var listed))
        {
            problems.AddRange(listed.Where(m => !StabilityModels.All.Contains(m, StringComparer.Ordinal))
                .Select(m => new ConfigProblem($"{path}.models.image", $"'{m}' is not a Stable Image model; expected one of {string.Join(", ", StabilityModels.All)}")));
        }

        problems.AddRange(config.Models.Keys.Where(m => m != Generation.Modality.Image)
            .Select(m => new ConfigProblem($"{path}.models.{Generation.WireNames.ToWire(m)}", "a stability provider generates images only")));
        return problems;
    }

    /// <summary>Creates the provider with its own HTTP client.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        var timeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<StabilityProvider>();
        return new StabilityProvider(config, StabilityOptions.FromConfig(config), UpstreamHttp.CreateClient(), timeProvider, logger);
    }
}
