using System.Globalization;

namespace Switchyard.Bench.Chaos;

/// <summary>The command line of the bench.</summary>
internal sealed record Options(int Requests, int Concurrency, int BRequests, string Scenario, string? Gateway, string? Out, bool Keep)
{
    /// <summary>The options, or null when the command line is not understood.</summary>
    public static Options? Parse(string[] args)
    {
        var options = new Options(10_000, 32, 2_000, "all", null, null, false);
        for (var i = 0; i < args.Length; i++)
        {
            string? Value() => i + 1 < args.Length ? args[++i] : null;
            int? Number() => int.TryParse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;
            switch (args[i])
            {
                case "--requests" when Number() is { } n:
                    options = options with { Requests = n };
                    break;
                case "--concurrency" when Number() is { } n:
                    options = options with { Concurrency = n };
                    break;
                case "--b-requests" when Number() is { } n:
                    options = options with { BRequests = n };
                    break;
                case "--scenario" when Value()?.ToUpperInvariant() is "A" or "B" or "ALL":
                    options = options with { Scenario = string.Equals(args[i], "all", StringComparison.OrdinalIgnoreCase) ? "all" : args[i].ToUpperInvariant() };
                    break;
                case "--gateway" when Value() is { } path:
                    options = options with { Gateway = Path.GetFullPath(path) };
                    break;
                case "--out" when Value() is { } path:
                    options = options with { Out = Path.GetFullPath(path) };
                    break;
                case "--keep":
                    options = options with { Keep = true };
                    break;
                default:
                    return null;
            }
        }

        return options;
    }
}
