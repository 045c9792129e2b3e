using Switchyard.Configuration;

namespace Switchyard.Providers;

/// <summary>Creates the providers of one adapter type and checks their type-specific settings.</summary>
public interface IProviderFactory
{
    /// <summary>The <c>type:</c> value it handles.</summary>
    string Type { get; }

    /// <summary>Every problem of the provider's type-specific settings, with <paramref name="path"/> as prefix.</summary>
    IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path);

    /// <summary>Creates the provider.</summary>
    IGenerationProvider Create(ProviderConfig config, IServiceProvider services);
}
