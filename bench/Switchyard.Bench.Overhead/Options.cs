using System.Globalization;

namespace Switchyard.Bench.Overhead;

/// <summary>Command-line options of the overhead bench (see bench/README.md).</summary>
internal sealed record Options
{
    public int Rounds { get; init; } = 3;

    public int Seconds { get; init; } = 10;

    public int WarmupSeconds { get; init; } = 3;

    public int TtfbRequests { get; init; } = 300;

    public bool Soak { get; init; }

    public int SoakMinutes { get; init; } = 10;

    public IReadOnlyList<string> Targets { get; init; } = ["direct", "yarp", "switchyard", "portkey"];

    public IReadOnlyList<string> Scenarios { get; init; } = ["chat", "image256", "image1024"];

    public string? Out { get; init; }

    public bool Keep { get; init; }

    /// <summary>Folder with Portkey's npm install (node_modules/@portkey-ai/gateway); set by run.sh.</summary>
    public string? PortkeyDir { get; init; }

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--quick" => options with { Rounds = 1, Seconds = 3, WarmupSeconds = 1, TtfbRequests = 100 },
                "--rounds" => options with { Rounds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--seconds" => options with { Seconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--warmup" => options with { WarmupSeconds = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--ttfb-requests" => options with { TtfbRequests = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--soak" => options with { Soak = true },
                "--soak-minutes" => options with { Soak = true, SoakMinutes = int.Parse(Next(), CultureInfo.InvariantCulture) },
                "--targets" => options with { Targets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--scenarios" => options with { Scenarios = Next().Split(',', StringSplitOptions.RemoveEmptyEntries) },
                "--out" => options with { Out = Next() },
                "--keep" => options with { Keep = true },
                "--portkey-dir" => options with { PortkeyDir = Next() },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        if (!options.Targets.Contains("direct"))
        {
            options = options with { Targets = ["direct", .. options.Targets] };
        }

        return options;
    }
}
