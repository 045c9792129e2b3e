using System.Globalization;
using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Providers.Sandbox;

/// <summary>
/// The settings of a <c>sandbox</c> provider: <c>latency</c>, <c>faults: { class: ratio }</c>, <c>retry_after</c>
/// and <c>fault_seed</c>.
/// </summary>
public sealed record SandboxOptions
{
    /// <summary>The fault classes that <c>faults:</c> may name, in the order they are drawn.</summary>
    public static IReadOnlyList<ErrorClass> FaultClasses { get; } =
        [ErrorClass.RateLimited, ErrorClass.Unavailable, ErrorClass.Timeout, ErrorClass.ContentRejected, ErrorClass.Auth];

    private static readonly string[] Keys = ["latency", "faults", "retry_after", "fault_seed"];

    /// <summary>How long each call waits before answering (<c>latency</c>, default 0).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>The share of calls that fail with each class (<c>faults</c>); the ratios add up to at most 1.</summary>
    public IReadOnlyDictionary<ErrorClass, double> Faults { get; init; } = new Dictionary<ErrorClass, double>();

    /// <summary>The Retry-After of simulated 429s (<c>retry_after</c>, default 1s).</summary>
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Makes the sequence of random faults reproducible (<c>fault_seed</c>); null draws from a shared random source.</summary>
    public int? FaultSeed { get; init; }

    /// <summary>Every problem of <paramref name="settings"/>, each with its path under <paramref name="path"/> (e.g. <c>providers.sandbox-a</c>).</summary>
    public static IReadOnlyList<ConfigProblem> Validate(IReadOnlyDictionary<string, string> settings, string path)
    {
        var problems = new List<ConfigProblem>();
        Parse(settings, path, problems);
        return problems;
    }

    /// <summary>Reads the settings of a provider; throws <see cref="ConfigException"/> listing every problem.</summary>
    public static SandboxOptions FromSettings(IReadOnlyDictionary<string, string> settings, string path = "settings")
    {
        var problems = new List<ConfigProblem>();
        var options = Parse(settings, path, problems);
        return problems.Count == 0 ? options : throw new ConfigException(problems);
    }

    private static SandboxOptions Parse(IReadOnlyDictionary<string, string> settings, string path, List<ConfigProblem> problems)
    {
        var latency = TimeSpan.Zero;
        var retryAfter = TimeSpan.FromSeconds(1);
        int? seed = null;
        var faults = new Dictionary<ErrorClass, double>();

        foreach (var (key, value) in settings.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var where = $"{path}.{key.Replace(':', '.')}";
            var parts = key.Split(':');
            switch (parts[0])
            {
                case "latency" when parts.Length == 1:
                    latency = ReadDuration(value, where, problems, latency);
                    break;
                case "retry_after" when parts.Length == 1:
                    retryAfter = ReadDuration(value, where, problems, retryAfter);
                    break;
                case "fault_seed" when parts.Length == 1:
                    if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsedSeed))
                    {
                        seed = parsedSeed;
                    }
                    else
                    {
                        problems.Add(new(where, $"'{value}' is not an integer; expected e.g. fault_seed: 42"));
                    }

                    break;
                case "faults" when parts.Length == 1:
                    // `faults: {}` flattens to an empty value; anything else is not a map.
                    if (!string.IsNullOrWhiteSpace(value))
                    {
                        problems.Add(new(where, $"expected a map of fault class to ratio, e.g. faults: {{ unavailable: 0.1 }}; got '{value}'"));
                    }

                    break;
                case "faults" when parts.Length == 2:
                    var faultClass = FaultClasses.Where(c => c.ToWire() == parts[1]).Select(c => (ErrorClass?)c).FirstOrDefault();
                    if (faultClass is null)
                    {
                        problems.Add(new(where, $"unknown fault class; expected one of {FaultClassList}"));
                    }
                    else if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) && ratio is >= 0 and <= 1)
                    {
                        faults[faultClass.Value] = ratio;
                    }
                    else
                    {
                        problems.Add(new(where, $"'{value}' is not a ratio; expected a number from 0 to 1"));
                    }

                    break;
                default:
                    problems.Add(new(where, $"unknown setting for a sandbox provider; expected one of {string.Join(", ", Keys)}"));
                    break;
            }
        }

        var sum = faults.Values.Sum();
        if (sum > 1 + 1e-9)
        {
            problems.Add(new($"{path}.faults", $"the ratios add up to {sum.ToString("0.###", CultureInfo.InvariantCulture)}; they must not exceed 1"));
        }

        return new SandboxOptions { Latency = latency, RetryAfter = retryAfter, FaultSeed = seed, Faults = faults };
    }

    private static string FaultClassList => string.Join(", ", FaultClasses.Select(c => c.ToWire()));

    private static TimeSpan ReadDuration(string value, string where, List<ConfigProblem> problems, TimeSpan fallback)
    {
        if (!Duration.TryParse(value, out var parsed))
        {
            problems.Add(new(where, $"'{value}' is not a duration; expected e.g. 120ms, 2s or 1m"));
            return fallback;
        }

        if (parsed > TimeSpan.FromMinutes(10))
        {
            problems.Add(new(where, $"{Duration.Format(parsed)} is too long; at most 10m"));
            return fallback;
        }

        return parsed;
    }
}
