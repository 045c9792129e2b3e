using Switchyard.Configuration;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// The type-specific settings of an <c>openai</c>, <c>openai-compatible</c> or <c>aimlapi</c> provider:
/// <c>organization</c>, <c>project</c> (OpenAI's <c>OpenAI-Organization</c> and <c>OpenAI-Project</c> headers),
/// <c>max_tokens_field</c> (<c>max_tokens</c> or <c>max_completion_tokens</c>) and <c>download_timeout</c>.
/// </summary>
internal sealed record OpenAIProviderOptions
{
    /// <summary>The largest image a returned <c>url</c> may point to.</summary>
    public const long DefaultMaxDownloadBytes = 50L * 1024 * 1024;

    private static readonly string[] Keys = ["organization", "project", "max_tokens_field", "download_timeout"];
    private static readonly string[] TokenFields = ["max_tokens", "max_completion_tokens"];

    /// <summary>Sent as <c>OpenAI-Organization</c> when set.</summary>
    public string? Organization { get; init; }

    /// <summary>Sent as <c>OpenAI-Project</c> when set.</summary>
    public string? Project { get; init; }

    /// <summary>Overrides the chat body's token-limit field; null keeps the type's default.</summary>
    public string? MaxTokensField { get; init; }

    /// <summary>How long downloading an image from a returned <c>url</c> may take (<c>download_timeout</c>, default 30s).</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest image download accepted.</summary>
    public long MaxDownloadBytes { get; init; } = DefaultMaxDownloadBytes;

    /// <summary>Every problem of <paramref name="settings"/>, each with its path under <paramref name="path"/>.</summary>
    public static IReadOnlyList<ConfigProblem> Validate(IReadOnlyDictionary<string, string> settings, string path)
    {
        var problems = new List<ConfigProblem>();
        Parse(settings, path, problems);
        return problems;
    }

    /// <summary>Reads the settings; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static OpenAIProviderOptions FromSettings(IReadOnlyDictionary<string, string> settings, string path = "settings")
    {
        var problems = new List<ConfigProblem>();
        var options = Parse(settings, path, problems);
        return problems.Count == 0 ? options : throw new ConfigException(problems);
    }

    private static OpenAIProviderOptions Parse(IReadOnlyDictionary<string, string> settings, string path, List<ConfigProblem> problems)
    {
        var options = new OpenAIProviderOptions();
        foreach (var (key, value) in settings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var where = $"{path}.{key.Replace(':', '.')}";
            switch (key)
            {
                case "organization":
                    options = options with { Organization = NullIfBlank(value) };
                    break;
                case "project":
                    options = options with { Project = NullIfBlank(value) };
                    break;
                case "max_tokens_field":
                    if (TokenFields.Contains(value, StringComparer.Ordinal))
                    {
                        options = options with { MaxTokensField = value };
                    }
                    else
                    {
                        problems.Add(new(where, $"'{value}' is not a token-limit field; expected {string.Join(" or ", TokenFields)}"));
                    }

                    break;
                case "download_timeout":
                    if (Duration.TryParse(value, out var timeout) && timeout > TimeSpan.Zero && timeout <= TimeSpan.FromMinutes(10))
                    {
                        options = options with { DownloadTimeout = timeout };
                    }
                    else
                    {
                        problems.Add(new(where, $"'{value}' is not a duration from 1ms to 10m; expected e.g. 30s"));
                    }

                    break;
                default:
                    problems.Add(new(where, $"unknown setting for an OpenAI-style provider; expected one of {string.Join(", ", Keys)} (or the common keys type, base_url, api_key, timeout, retry, circuit_breaker, rate_limit, models, prices)"));
                    break;
            }
        }

        return options;
    }

    private static string? NullIfBlank(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
