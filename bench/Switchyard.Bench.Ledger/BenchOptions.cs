using System.Globalization;

namespace Switchyard.Bench.Ledger;

/// <summary>Command-line settings: <c>--runs N --attempts-per-run N --writers N --seconds N --rounds N --concurrency N --only stores|requests|batches|gateway --rates N,N --latency-ms N --spanning-percent N --batch-requests N --split</c>.</summary>
internal sealed record BenchOptions
{
    public int Runs { get; init; } = 50_000;

    public int AttemptsPerRun { get; init; } = 4;

    public int Writers { get; init; } = 64;

    public int Concurrency { get; init; } = 64;

    public int Seconds { get; init; } = 10;

    public int Rounds { get; init; } = 3;

    public bool Stores { get; init; } = true;

    public bool Gateway { get; init; } = true;

    public bool RequestShape { get; init; } = true;

    public bool BatchShape { get; init; } = true;

    /// <summary>In (d), the share of requests started in one batch and finished in the next.</summary>
    public int SpanningPercent { get; init; } = 30;

    /// <summary>In (b), also run a gateway whose ledger queue hands its batches to a store that keeps nothing, to split the ledger's cost into the queue's and the store's.</summary>
    public bool Split { get; init; }

    /// <summary>In (d), the requests per batch (the gateway's batches hold 100-500 at 10-50k requests/s).</summary>
    public int BatchRequests { get; init; } = 150;

    /// <summary>Offered request rates of (c); 0 means as fast as the ledger takes them.</summary>
    public IReadOnlyList<int> Rates { get; init; } = [2_000, 8_000, 0];

    /// <summary>In (c), how long after its start a request finishes: its finish is offered this much later, so it may fall in a later batch.</summary>
    public int LatencyMs { get; init; } = 4;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i += 2)
        {
            if (args[i] == "--split")
            {
                options = options with { Split = true };
                i--;
                continue;
            }

            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            int Number() => int.Parse(value, CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--runs" => options with { Runs = Number() },
                "--attempts-per-run" => options with { AttemptsPerRun = Number() },
                "--writers" => options with { Writers = Number() },
                "--concurrency" => options with { Concurrency = Number() },
                "--seconds" => options with { Seconds = Number() },
                "--rounds" => options with { Rounds = Number() },
                "--only" => options with { Stores = value == "stores", Gateway = value == "gateway", RequestShape = value == "requests", BatchShape = value == "batches" },
                "--spanning-percent" => options with { SpanningPercent = Number() },
                "--batch-requests" => options with { BatchRequests = Number() },
                "--latency-ms" => options with { LatencyMs = Number() },
                "--rates" => options with { Rates = [.. value.Split(',').Select(r => int.Parse(r, CultureInfo.InvariantCulture))] },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }

        return options;
    }
}
