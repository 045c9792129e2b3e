using Microsoft.Extensions.Logging;
using Switchyard.Configuration;

namespace Switchyard.Providers.OpenAI;

/// <summary>The validation and construction the three OpenAI-style factories share.</summary>
internal static class OpenAIProviderSetup
{
    public static IEnumerable<ConfigProblem> Validate(OpenAIFlavor flavor, ProviderConfig config, string path)
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = new List<ConfigProblem>(OpenAIProviderOptions.Validate(config.Settings, path));

        // A base_url written as ${VAR} with VAR unset is a missing secret (the provider is then misconfigured, not the file).
        if (flavor.DefaultBaseUrl is null && config.BaseUrl is null && config.MissingSecrets.Count == 0)
        {
            problems.Add(new($"{path}.base_url", $"required for type {flavor.TypeName}: the server's OpenAI-style API root, e.g. http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8000/v1 (vLLM), http://127.0.0.1:1234/v1 (LM Studio)"));
        }

        if (config.BaseUrl is { } baseUrl && Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            problems.Add(new($"{path}.base_url", $"'{baseUrl}' is not an http or https URL"));
        }

        return problems;
    }

    public static IGenerationProvider Create(OpenAIFlavor flavor, ProviderConfig config, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(services);
        var time = services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
        var logger = (services.GetService(typeof(ILoggerFactory)) as ILoggerFactory)?.CreateLogger<OpenAIProvider>();
        var options = OpenAIProviderOptions.FromSettings(config.Settings, $"providers.{config.Name}");
        return new OpenAIProvider(config, flavor, options, OpenAIHttp.For(services), time, logger);
    }
}
