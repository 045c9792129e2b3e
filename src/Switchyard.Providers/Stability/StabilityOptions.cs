using Switchyard.Configuration;

namespace Switchyard.Providers.Stability;

/// <summary>
/// The settings of a <c>stability</c> provider: <c>accept</c> (<c>image</c> for raw bytes, the default, or <c>json</c> for
/// base64 JSON) and <c>client_id</c> (sent as <c>stability-client-id</c>). The key is the provider's <c>api_key</c>.
/// </summary>
internal sealed record StabilityOptions
{
    /// <summary>The API base when <c>base_url</c> is not set.</summary>
    public const string DefaultBaseUrl = "https://api.stability.ai";

    private static readonly string[] Keys = ["accept", "client_id"];

    /// <summary>Ask for base64 JSON (<c>Accept: application/json</c>) instead of raw bytes (<c>Accept: image/*</c>).</summary>
    public bool AcceptJson { get; init; }

    /// <summary>The application name Stability may use when it writes about moderation or debugging.</summary>
    public string? ClientId { get; init; }

    /// <summary>Every problem of the settings, with paths under <paramref name="path"/>.</summary>
    public static IReadOnlyList<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        var problems = new List<ConfigProblem>();
        Parse(config, path, problems);
        return problems;
    }

    /// <summary>Reads the settings (the config loader already reported their problems).</summary>
    public static StabilityOptions FromConfig(ProviderConfig config) => Parse(config, $"providers.{config.Name}", []);

    private static StabilityOptions Parse(ProviderConfig config, string path, List<ConfigProblem> problems)
    {
        var options = new StabilityOptions();
        foreach (var (key, value) in config.Settings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var where = $"{path}.{key.Replace(':', '.')}";
            switch (key)
            {
                case "accept" when value is "image" or "json":
                    options = options with { AcceptJson = value == "json" };
                    break;
                case "accept":
                    problems.Add(new(where, $"'{value}' is not a reply form; expected image (raw bytes) or json (base64)"));
                    break;
                case "client_id" when value.Length is > 0 and <= 256:
                    options = options with { ClientId = value };
                    break;
                case "client_id":
                    problems.Add(new(where, "must be 1 to 256 characters"));
                    break;
                default:
                    problems.Add(new(where, $"unknown setting for a stability provider; expected one of {string.Join(", ", Keys)}"));
                    break;
            }
        }

        if (config.ApiKey is null)
        {
            problems.Add(new($"{path}.api_key", "missing; Stability needs an API key, e.g. api_key: ${STABILITY_API_KEY}"));
        }

        return options;
    }
}
