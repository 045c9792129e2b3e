using Microsoft.Extensions.Logging;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Espeak;

/// <summary>Creates <c>type: espeak</c> providers; they take no settings of their own and need espeak-ng on PATH.</summary>
internal sealed class EspeakProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value.</summary>
    public const string TypeName = "espeak";

    private readonly Func<string, string?> _findProgram;

    public EspeakProviderFactory()
        : this(ProgramLocator.Find)
    {
    }

    internal EspeakProviderFactory(Func<string, string?> findProgram)
    {
        _findProgram = findProgram;
    }

    public string Type => TypeName;

    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Settings.Keys
            .Order(StringComparer.Ordinal)
            .Select(key => new ConfigProblem($"{path}.{key.Replace(':', '.')}", "unknown setting; an espeak provider takes no settings of its own"))
            .ToList();
        problems.AddRange(config.Models.Keys.Where(m => m != Modality.Speech)
            .Select(m => new ConfigProblem($"{path}.models.{m.ToWire()}", "an espeak provider synthesizes speech only")));
        return problems;
    }

    /// <summary>Creates the provider, finding espeak-ng on PATH now.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        var timeProvider = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<EspeakProvider>();
        var encoder = ReferenceEquals(_findProgram, (Func<string, string?>)ProgramLocator.Find) ? AudioEncoder.Default : new AudioEncoder(_findProgram, timeProvider);
        return new EspeakProvider(config, _findProgram("espeak-ng"), encoder, timeProvider, logger);
    }
}
