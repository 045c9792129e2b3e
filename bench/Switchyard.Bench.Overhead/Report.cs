using System.Globalization;
using System.Text;

namespace Switchyard.Bench.Overhead;

/// <summary>Ledger rows after the run against the responses Switchyard gave.</summary>
/// <param name="InFlightAllowance">Requests wrk may have left in flight when a round ended (its connections per run): the gateway may have finished and recorded them.</param>
internal sealed record LedgerCount(long Responses, long InFlightAllowance, long Runs, long Unfinished, long Succeeded, long Attempts)
{
    public bool Met => Runs >= Responses && Runs - Responses <= InFlightAllowance && Unfinished == 0;
}

/// <summary>Collects the rounds and renders the markdown report with the issue's targets.</summary>
internal sealed class Report(Options options, long png256, long png1024)
{
    private readonly Dictionary<(string Scenario, int Connections), Dictionary<string, List<WrkResult>>> _rounds = [];
    private readonly Dictionary<string, List<double>> _ttfb = [];
    private readonly List<(string Scenario, int Connections)> _order = [];
    private readonly List<string> _targetOrder = [];
    private readonly Dictionary<string, string> _labels = [];
    private readonly List<(string Target, string Measured, bool? Met)> _checks = [];

    public List<string> Notes { get; } = [];

    public Dictionary<string, long> PeakRss { get; } = [];

    public LedgerCount? Ledger { get; set; }

    public SoakResult? Soak { get; set; }

    public bool AllMet => _checks.All(c => c.Met != false);

    public void Add(Scenario scenario, int connections, Target target, WrkResult result)
    {
        var key = (scenario.Name, connections);
        if (!_rounds.TryGetValue(key, out var byTarget))
        {
            _rounds[key] = byTarget = [];
            _order.Add(key);
        }

        if (!byTarget.TryGetValue(target.Name, out var list))
        {
            byTarget[target.Name] = list = [];
        }

        list.Add(result);
        Remember(target);
    }

    public void AddTtfb(Target target, List<double> times)
    {
        if (!_ttfb.TryGetValue(target.Name, out var list))
        {
            _ttfb[target.Name] = list = [];
        }

        list.AddRange(times);
        Remember(target);
    }

    public string Render(string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{machine}");
        text.AppendLine();
        if (Soak is null)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{options.Rounds} interleaved round(s) of {options.Seconds} s per target, scenario and concurrency (after a {options.WarmupSeconds} s warm-up of each); medians of the rounds. wrk with 1 thread at c=1 and 2 threads at c=64. PNG answers: 256x256 {png256 / 1024.0:F0} KiB, 1024x1024 {png1024 / 1024.0:F0} KiB (base64 in `b64_json`).");
            text.AppendLine();
            RenderRounds(text);
            RenderTtfb(text);
        }
        else
        {
            RenderSoak(text);
        }

        if (Ledger is { } ledger)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Ledger count check: {ledger.Responses:N0} responses from Switchyard (wrk rounds and warm-ups, checks, TTFB requests); {ledger.Runs:N0} runs in SQLite after SIGTERM ({ledger.Succeeded:N0} success, {ledger.Unfinished} unfinished), {ledger.Attempts:N0} attempts; runs − responses = {ledger.Runs - ledger.Responses} (requests wrk left in flight when a round ended may still be served and recorded: at most {ledger.InFlightAllowance:N0}).");
            text.AppendLine();
            _checks.Add(("every request has its ledger run", $"{ledger.Runs:N0} runs / {ledger.Responses:N0} responses, {ledger.Unfinished} unfinished", ledger.Met));
        }

        text.AppendLine("| target | measured | met |");
        text.AppendLine("|---|---|---|");
        foreach (var (target, measured, met) in _checks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {(met is null ? "n/a" : met.Value ? "yes" : "**no**")} |");
        }

        if (Notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in Notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        return text.ToString();
    }

    private void RenderRounds(StringBuilder text)
    {
        foreach (var key in _order)
        {
            var byTarget = _rounds[key];
            var scenario = Scenario.Named(key.Scenario);
            text.AppendLine(CultureInfo.InvariantCulture, $"**{scenario.Label}, concurrency {key.Connections}**");
            text.AppendLine();
            text.AppendLine("| target | req/s | p50 ms | p99 ms | added p50 ms | added p99 ms | peak RSS MB | CPU µs/req | errors |");
            text.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
            var direct = byTarget.TryGetValue("direct", out var d) ? Summary.Of(d) : null;
            foreach (var name in _targetOrder.Where(byTarget.ContainsKey))
            {
                var s = Summary.Of(byTarget[name]);
                var addedP50 = direct is null || name == "direct" ? "" : F(s.P50Ms - direct.P50Ms, 3);
                var addedP99 = direct is null || name == "direct" ? "" : F(s.P99Ms - direct.P99Ms, 2);
                var rss = name == "direct" ? "" : F(s.PeakRssBytes / 1e6, 0);
                var cpu = name == "direct" ? "" : F(s.CpuUsPerRequest, 0);
                text.AppendLine(CultureInfo.InvariantCulture, $"| {_labels[name]} | {F(s.Rps, 0)} | {F(s.P50Ms, 3)} | {F(s.P99Ms, 2)} | {addedP50} | {addedP99} | {rss} | {cpu} | {s.Errors} |");
            }

            text.AppendLine();
            if (key.Scenario == "chat" && byTarget.TryGetValue("switchyard", out var sy) && direct is not null)
            {
                var s = Summary.Of(sy);
                var floor = byTarget.TryGetValue("yarp", out var y) ? Summary.Of(y) : null;
                if (key.Connections == 1)
                {
                    _checks.Add(("c=1: Switchyard adds ≤ 0.3 ms at p50 over direct", $"+{F(s.P50Ms - direct.P50Ms, 3)} ms (direct {F(direct.P50Ms, 3)} ms, Switchyard {F(s.P50Ms, 3)} ms)", s.P50Ms - direct.P50Ms <= 0.3));
                }
                else if (floor is not null)
                {
                    _checks.Add(($"c={key.Connections}: throughput ≥ 0.8× bare YARP", $"{F(s.Rps, 0)} vs {F(floor.Rps, 0)} req/s = {F(s.Rps / floor.Rps, 2)}×", s.Rps >= 0.8 * floor.Rps));
                    _checks.Add(($"c={key.Connections}: p99 ≤ 2× bare YARP's", $"{F(s.P99Ms, 2)} vs {F(floor.P99Ms, 2)} ms = {F(s.P99Ms / floor.P99Ms, 2)}×", s.P99Ms <= 2 * floor.P99Ms));
                    _checks.Add(($"c={key.Connections}: peak RSS ≤ 150 MB", $"{F(s.PeakRssBytes / 1e6, 0)} MB (sampled every 200 ms during the chat rounds; whole-run peak VmHWM {F(PeakRss.GetValueOrDefault("switchyard") / 1e6, 0)} MB)", s.PeakRssBytes <= 150e6));
                }
            }
        }
    }

    private void RenderTtfb(StringBuilder text)
    {
        if (_ttfb.Count == 0)
        {
            return;
        }

        text.AppendLine(CultureInfo.InvariantCulture, $"**Streaming chat, time to first body byte** ({options.TtfbRequests} sequential requests per target after as many unmeasured ones, one connection kept alive, interleaved in 5 batches)");
        text.AppendLine();
        text.AppendLine("| target | p50 ms | p90 ms | p99 ms | added p50 ms |");
        text.AppendLine("|---|---:|---:|---:|---:|");
        var direct = _ttfb.TryGetValue("direct", out var d) ? Percentile(d, 50) : (double?)null;
        foreach (var name in _targetOrder.Where(_ttfb.ContainsKey))
        {
            var t = _ttfb[name];
            var p50 = Percentile(t, 50);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {_labels[name]} | {F(p50, 3)} | {F(Percentile(t, 90), 3)} | {F(Percentile(t, 99), 3)} | {(direct is null || name == "direct" ? "" : F(p50 - direct.Value, 3))} |");
            if (name == "switchyard" && direct is not null)
            {
                _checks.Add(("streaming: time to first byte adds ≤ 1 ms over direct", $"+{F(p50 - direct.Value, 3)} ms at p50 ({F(direct.Value, 3)} → {F(p50, 3)} ms)", p50 - direct.Value <= 1.0));
            }
        }

        text.AppendLine();
    }

    private void RenderSoak(StringBuilder text)
    {
        var soak = Soak!;
        var (early, late, growth) = soak.Growth();
        var peak = soak.Samples.Max(s => s.Rss);
        text.AppendLine(CultureInfo.InvariantCulture, $"Soak: Switchyard, chat at concurrency 64 for {soak.Minutes} min: {soak.Requests:N0} requests ({F(soak.RequestsPerSecond, 0)} req/s, p99 {F(soak.P99Us / 1000.0, 2)} ms, {soak.Errors} errors).");
        text.AppendLine();
        text.AppendLine("| minute | RSS MB (mean of the samples) |");
        text.AppendLine("|---:|---:|");
        foreach (var minute in soak.Samples.GroupBy(s => (int)(s.Seconds / 60)).OrderBy(g => g.Key))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {minute.Key + 1} | {F(minute.Average(s => s.Rss) / 1e6, 1)} |");
        }

        text.AppendLine();
        _checks.Add(("soak: RSS flat (< 10 % growth, minute 2 → last minute)", $"{F(early / 1e6, 1)} → {F(late / 1e6, 1)} MB ({F(growth * 100, 1)} %)", growth < 0.10));
        _checks.Add(("soak: peak RSS ≤ 150 MB", $"{F(peak / 1e6, 1)} MB (samples every 5 s)", peak <= 150e6));
    }

    private void Remember(Target target)
    {
        if (!_targetOrder.Contains(target.Name))
        {
            _targetOrder.Add(target.Name);
            _targetOrder.Sort((a, b) => Rank(a).CompareTo(Rank(b)));
        }

        _labels[target.Name] = target.Label;
    }

    private static int Rank(string name) => name switch { "direct" => 0, "yarp" => 1, "switchyard" => 2, _ => 3 };

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    private static string F(double value, int decimals) => value.ToString("N" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>Medians of the rounds of one target.</summary>
    private sealed record Summary(double Rps, double P50Ms, double P99Ms, long PeakRssBytes, double CpuUsPerRequest, long Errors)
    {
        public static Summary Of(List<WrkResult> rounds) => new(
            Median(rounds.Select(r => r.RequestsPerSecond)),
            Median(rounds.Select(r => r.P50Us / 1000.0)),
            Median(rounds.Select(r => r.P99Us / 1000.0)),
            rounds.Max(r => r.PeakRssBytes),
            Median(rounds.Select(r => r.CpuSeconds * 1e6 / Math.Max(1, r.Requests))),
            rounds.Sum(r => r.Errors + r.StatusErrors));

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
