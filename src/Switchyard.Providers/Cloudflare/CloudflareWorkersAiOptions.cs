using System.Text.RegularExpressions;
using Switchyard.Configuration;

namespace Switchyard.Providers.Cloudflare;

/// <summary>
/// The settings of a <c>cloudflare-workers-ai</c> provider: <c>account_id</c> (usually <c>${CLOUDFLARE_ACCOUNT_ID}</c>)
/// and <c>speech_lang</c> (the MeloTTS language, default <c>en</c>). The token is the provider's <c>api_key</c>.
/// </summary>
internal sealed partial record CloudflareWorkersAiOptions
{
    /// <summary>The API base when <c>base_url</c> is not set.</summary>
    public const string DefaultBaseUrl = "https://api.cloudflare.com/client/v4";

    private static readonly string[] Keys = ["account_id", "speech_lang"];

    /// <summary>The account id, or empty when its variable is not set in this environment.</summary>
    public string AccountId { get; init; } = string.Empty;

    /// <summary>The language MeloTTS speaks.</summary>
    public string SpeechLang { get; init; } = "en";

    /// <summary>Every problem of the settings, with paths under <paramref name="path"/>.</summary>
    public static IReadOnlyList<ConfigProblem> Validate(ProviderConfig config, string path)
    {
        var problems = new List<ConfigProblem>();
        Parse(config, path, problems);
        return problems;
    }

    /// <summary>Reads the settings; problems are left to <see cref="Validate"/>, which the config loader already ran.</summary>
    public static CloudflareWorkersAiOptions FromConfig(ProviderConfig config) => Parse(config, $"providers.{config.Name}", []);

    private static CloudflareWorkersAiOptions Parse(ProviderConfig config, string path, List<ConfigProblem> problems)
    {
        var options = new CloudflareWorkersAiOptions();
        foreach (var (key, value) in config.Settings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var where = $"{path}.{key.Replace(':', '.')}";
            switch (key)
            {
                case "account_id":
                    // Empty means the variable is missing here: the provider is misconfigured, not the file.
                    if (value.Length > 0 && !AccountIdPattern().IsMatch(value))
                    {
                        problems.Add(new(where, "is not a Cloudflare account id (letters, digits, '-' and '_'; usually 32 hex digits)"));
                    }

                    options = options with { AccountId = value };
                    break;
                case "speech_lang":
                    if (!LangPattern().IsMatch(value))
                    {
                        problems.Add(new(where, $"'{value}' is not a language code; expected e.g. en, fr, es, zh, ja or ko"));
                    }
                    else
                    {
                        options = options with { SpeechLang = value };
                    }

                    break;
                default:
                    problems.Add(new(where, $"unknown setting for a cloudflare-workers-ai provider; expected one of {string.Join(", ", Keys)}"));
                    break;
            }
        }

        if (!config.Settings.ContainsKey("account_id"))
        {
            problems.Add(new($"{path}.account_id", "missing; Workers AI needs the account id, e.g. account_id: ${CLOUDFLARE_ACCOUNT_ID}"));
        }

        if (config.ApiKey is null)
        {
            problems.Add(new($"{path}.api_key", "missing; Workers AI needs an API token, e.g. api_key: ${CLOUDFLARE_API_TOKEN}"));
        }

        return options;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[a-z]{2,3}(-[A-Za-z]{2,4})?$", RegexOptions.CultureInvariant)]
    private static partial Regex LangPattern();
}
