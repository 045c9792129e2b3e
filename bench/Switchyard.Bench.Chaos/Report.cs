using System.Globalization;
using System.Text;

namespace Switchyard.Bench.Chaos;

/// <summary>The Markdown report: printed to stdout and written to the results file.</summary>
internal sealed class Report
{
    private readonly StringBuilder _text = new();

    public List<Target> Targets { get; } = [];

    public bool AllMet => Targets.All(t => t.Met);

    public static string F(double value, string format = "0.0") =>
        double.IsNaN(value) ? "n/a" : value.ToString(format, CultureInfo.InvariantCulture);

    public static string Pct(double share) => (share * 100).ToString("0.00", CultureInfo.InvariantCulture) + " %";

    public void Line(string line = "") => _text.Append(line).Append('\n');

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        Line("| " + string.Join(" | ", header) + " |");
        Line("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            Line("| " + string.Join(" | ", row) + " |");
        }

        Line();
    }

    /// <summary>The sections every scenario has: accounting, outcomes, attempts, circuits, latency.</summary>
    public void Common(Analysis a, Gateway gateway)
    {
        var n = a.Results.Count;
        Line("#### Accounting (client responses against the ledger)");
        Table(["figure", "value"], [
            ["requests sent", n.ToString(CultureInfo.InvariantCulture)],
            ["wall time", $"{F(a.WallMs / 1000, "0.0")} s ({F(n / (a.WallMs / 1000), "0")} req/s)"],
            ["HTTP status", string.Join(", ", a.Results.GroupBy(r => r.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "no response" : g.Key.ToString(CultureInfo.InvariantCulture))}: {g.Count()}"))],
            ["responses without x-switchyard-run-id", a.NoRunId.Count.ToString(CultureInfo.InvariantCulture)],
            ["run ids found in `runs`", $"{a.Found.Count} ({Pct(n == 0 ? 0 : (double)a.Found.Count / n)})"],
            ["run ids missing from `runs`", a.Missing.Count.ToString(CultureInfo.InvariantCulture)],
            ["**requests with every attempt in the ledger**", $"**{a.FullyAccounted} ({Pct(a.AccountedShare)})**"],
            ["runs found but incomplete / inconsistent", a.Incomplete.Count.ToString(CultureInfo.InvariantCulture)],
            ["runs in the ledger no client request names", a.ExtraRuns.ToString(CultureInfo.InvariantCulture)],
            ["attempts still `started`", $"{a.StartedLeftovers} (in {a.RunsWithStartedLeftovers} runs)"],
            ["gateway stop", gateway.StoppedGracefully ? $"SIGTERM, exited {gateway.ExitCode} after {F(gateway.StopMs, "0")} ms" : "did not stop on SIGTERM within 30 s: killed"],
        ]);

        foreach (var (request, run, problem) in a.Incomplete.Take(5))
        {
            Line($"- incomplete: request #{request.Index} run `{run.Id}`: {problem}");
        }

        foreach (var request in a.NoRunId.Take(5))
        {
            Line($"- no run id: request #{request.Index}: HTTP {request.Status} {request.Error}");
        }

        foreach (var request in a.Missing.Take(5))
        {
            Line($"- missing: request #{request.Index} run `{request.RunId}` (HTTP {request.Status}) has no row in `runs`");
        }

        if (a.Incomplete.Count + a.NoRunId.Count + a.Missing.Count > 0)
        {
            Line();
        }

        var runs = a.Found.Select(f => f.Run).ToList();
        Line("#### Outcomes (ledger `runs.outcome`)");
        Table(["outcome", "runs", "share", "served by"], runs
            .GroupBy(r => r.Outcome ?? "(none)")
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)[
                g.Key,
                g.Count().ToString(CultureInfo.InvariantCulture),
                Pct((double)g.Count() / Math.Max(1, runs.Count)),
                string.Join(", ", g.GroupBy(r => r.ServedProvider ?? "-").OrderByDescending(s => s.Count()).Select(s => $"{s.Key} {s.Count()}")),
            ]));

        var counts = runs.Select(r => r.Attempts.Count).ToList();
        var calls = runs.Select(r => r.Attempts.Count(x => x.Status != "skipped")).ToList();
        Line("#### Attempts per run (ledger `attempts`)");
        Line($"All attempt rows: mean {F(counts.DefaultIfEmpty().Average(c => (double)c), "0.00")}, max {counts.DefaultIfEmpty().Max()}. " +
            $"Provider calls (not skipped): mean {F(calls.DefaultIfEmpty().Average(c => (double)c), "0.00")}, max {calls.DefaultIfEmpty().Max()}.");
        Line();
        Table(["attempts in the run", "runs", "share"], counts
            .GroupBy(c => c)
            .OrderBy(g => g.Key)
            .Select(g => (IReadOnlyList<string>)[g.Key.ToString(CultureInfo.InvariantCulture), g.Count().ToString(CultureInfo.InvariantCulture), Pct((double)g.Count() / Math.Max(1, runs.Count))]));

        Line("#### Attempts by provider, status and error class / skip reason");
        var attempts = runs.SelectMany(r => r.Attempts).ToList();
        Table(["provider", "status", "error class / skip reason", "attempts", "of which retries", "mean duration ms"], attempts
            .GroupBy(x => (x.Tier, x.Provider, x.Status, Why: x.ErrorClass ?? x.SkipReason ?? "-"))
            .OrderBy(g => g.Key.Tier).ThenBy(g => g.Key.Status, StringComparer.Ordinal).ThenBy(g => g.Key.Why, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<string>)[
                g.Key.Provider,
                g.Key.Status,
                g.Key.Why,
                g.Count().ToString(CultureInfo.InvariantCulture),
                g.Count(x => x.Retry > 0).ToString(CultureInfo.InvariantCulture),
                F(g.Where(x => x.DurationMs is not null).Select(x => x.DurationMs!.Value).DefaultIfEmpty(double.NaN).Average(), "0.0"),
            ]));

        Line("#### Circuit transitions (gateway log, EventId 200)");
        if (a.Transitions.Count == 0)
        {
            Line("None: no circuit changed state.");
            Line();
        }
        else
        {
            Table(["ms from load start", "provider", "now", "requests completed before"], a.Transitions.Select(t => (IReadOnlyList<string>)[
                F(t.AtMs, "0"),
                t.Provider,
                t.State,
                a.Results.Count(r => r.EndMs - a.StartMs <= t.AtMs).ToString(CultureInfo.InvariantCulture),
            ]));
        }

        var client = a.Results.Where(r => r.Status != 0).Select(r => r.LatencyMs).ToList();
        var ledger = runs.Where(r => r.DurationMs is not null).Select(r => r.DurationMs!.Value).ToList();
        Line("#### Latency (ms)");
        Table(["measured at", "p50", "p95", "p99", "max"], [
            ["client (request sent to body read)", F(Analysis.Percentile(client, 50)), F(Analysis.Percentile(client, 95)), F(Analysis.Percentile(client, 99)), F(client.DefaultIfEmpty(double.NaN).Max())],
            ["ledger `runs.duration_ms`", F(Analysis.Percentile(ledger, 50)), F(Analysis.Percentile(ledger, 95)), F(Analysis.Percentile(ledger, 99)), F(ledger.DefaultIfEmpty(double.NaN).Max())],
        ]);
    }

    public void CommonTargets(string scenario, Analysis a)
    {
        Targets.Add(new(scenario, "requests with every attempt in the ledger = 100 %", $"{a.FullyAccounted}/{a.Results.Count} ({Pct(a.AccountedShare)})", a.Results.Count > 0 && a.FullyAccounted == a.Results.Count));
        Targets.Add(new(scenario, "failed runs = 0 (and every response 200)", $"{a.FailedRuns} failed runs, {a.Non200} non-200 responses", a.FailedRuns == 0 && a.Non200 == 0));
        Targets.Add(new(scenario, "attempts left `started` = 0", a.StartedLeftovers.ToString(CultureInfo.InvariantCulture), a.StartedLeftovers == 0));
    }

    public void TargetTable()
    {
        Table(["scenario", "target", "measured", "met"], Targets.Select(t => (IReadOnlyList<string>)[t.Scenario, t.Name, t.Value, t.Met ? "yes" : "**NO**"]));
    }

    public override string ToString() => _text.ToString();
}
