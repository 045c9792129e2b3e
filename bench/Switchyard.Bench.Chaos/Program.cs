using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Switchyard.Bench.Chaos;

// Switchyard chaos benchmark: starts the real gateway with fault-injecting sandbox providers, sends image requests,
// stops it gracefully, reads the SQLite ledger and checks that every request is accounted for, none failed, and a
// provider that is fully down is cut off by its circuit. Exit code 0 when every target is met, 1 when one is missed,
// 2 when the benchmark could not run.
var options = Options.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/Switchyard.Bench.Chaos -- [options]
          --requests N       scenario A requests (default 10000)
          --concurrency C    concurrent requests (default 32)
          --b-requests N     scenario B requests (default 2000)
          --scenario A|B|all which scenarios to run (default all)
          --gateway PATH     switchyard.dll (default src/Switchyard/bin/Release/net10.0/switchyard.dll)
          --out PATH         Markdown report (default bench/chaos/results/latest.md)
          --keep             keep the gateway's temporary folders (config, ledger)
        """);
    return 2;
}

var root = RepoRoot();
var gatewayDll = options.Gateway ?? (root is null ? null : Path.Combine(root, "src", "Switchyard", "bin", "Release", "net10.0", "switchyard.dll"));
if (gatewayDll is null || !File.Exists(gatewayDll))
{
    Console.Error.WriteLine($"switchyard.dll not found ({gatewayDll ?? "no Switchyard.slnx above the working directory"}); build first: dotnet build -c Release, or pass --gateway PATH");
    return 2;
}

var outPath = options.Out ?? Path.Combine(root ?? Directory.GetCurrentDirectory(), "bench", "chaos", "results", "latest.md");
var resultsDir = Path.GetDirectoryName(Path.GetFullPath(outPath))!;
Directory.CreateDirectory(resultsDir);

var report = new Report();
var clock = Stopwatch.StartNew();
try
{
    if (options.Scenario is "A" or "all")
    {
        await ScenarioAAsync();
    }

    if (options.Scenario is "B" or "all")
    {
        await ScenarioBAsync();
    }
}
catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Microsoft.Data.Sqlite.SqliteException)
{
    Console.Error.WriteLine($"chaos bench could not run: {ex.Message}");
    return 2;
}

var full = new Report();
full.Line("# Switchyard chaos benchmark");
full.Line();
full.Line($"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
full.Line($"- machine: {Environment.ProcessorCount} cores (nproc), {MemoryGiB()} GiB memory, {RuntimeInformation.OSDescription}, .NET {Environment.Version}");
full.Line($"- command: `dotnet run -c Release --project bench/Switchyard.Bench.Chaos -- --requests {options.Requests} --concurrency {options.Concurrency} --b-requests {options.BRequests}`");
full.Line($"- gateway: `{Path.GetRelativePath(root ?? "/", gatewayDll)}` started as a process (SQLite ledger, JSON console logs), stopped with SIGTERM before the ledger is read; the bench runs on the same machine");
full.Line($"- result: {(report.AllMet ? "every target met" : "**a target was missed**")}");
full.Line();
full.Line("## Targets");
full.Line();
foreach (var target in report.Targets)
{
    full.Targets.Add(target);
}

full.TargetTable();
var text = full + report.ToString();
Console.WriteLine(text);
await File.WriteAllTextAsync(outPath, text);
Console.Error.WriteLine($"report written to {outPath}");
return report.AllMet ? 0 : 1;

async Task ScenarioAAsync()
{
    var config = Configs.ScenarioA;
    await Console.Error.WriteLineAsync($"scenario A: {options.Requests} requests at concurrency {options.Concurrency}");
    await using var gateway = await Gateway.StartAsync(gatewayDll, config, Path.Combine(resultsDir, "gateway-a.log"), clock, options.Keep);
    var (results, start, end) = await Load.RunAsync(gateway, options.Requests, options.Concurrency, "A");
    await gateway.StopAsync();
    var a = new Analysis("A", results, start, end, Ledger.Read(gateway.DatabasePath), gateway.Transitions);

    report.Line("## Scenario A: fault mix");
    report.Line();
    report.Line("Route `image` = `tier1` → `tier2` → `placeholder`. `tier1`: sandbox, latency 20 ms, faults 30 % `unavailable`, " +
        "10 % `rate_limited` (Retry-After 1 s), 5 % `timeout`, 5 % `content_rejected`, `timeout: 500ms` (a timeout fault costs 500 ms). " +
        "`tier2`: sandbox, latency 30 ms, 10 % `unavailable`, `timeout: 500ms`. Both: default retry (3 tries, backoff 250 ms → 1 s with jitter, " +
        "Retry-After honoured up to 5 s) and default circuit breaker (ratio 0.5, minimum 10, sampling 30 s, break 30 s); fixed `fault_seed`s. " +
        $"{options.Requests} × `POST /v1/images/generations` (size 256x256, distinct prompts, no `[fail:…]`) at concurrency {options.Concurrency}.");
    report.Line();
    report.Line("```yaml");
    report.Line(config.TrimEnd());
    report.Line("```");
    report.Line();
    report.Common(a, gateway);
    report.CommonTargets("A", a);
}

async Task ScenarioBAsync()
{
    var config = Configs.ScenarioB;
    await Console.Error.WriteLineAsync($"scenario B: {options.BRequests} requests at concurrency {options.Concurrency}, tier1 fully down");
    await using var gateway = await Gateway.StartAsync(gatewayDll, config, Path.Combine(resultsDir, "gateway-b.log"), clock, options.Keep);
    var (results, start, end) = await Load.RunAsync(gateway, options.BRequests, options.Concurrency, "B");
    await gateway.StopAsync();
    var b = new Analysis("B", results, start, end, Ledger.Read(gateway.DatabasePath), gateway.Transitions);

    report.Line("## Scenario B: tier 1 fully down");
    report.Line();
    report.Line("As A, but `tier1` answers every call `unavailable` (`faults: { unavailable: 1.0 }`) and its circuit breaker is " +
        "`{ failure_ratio: 0.5, minimum_throughput: 10, sampling: 10s, break: 30s }`. " +
        $"{options.BRequests} requests at concurrency {options.Concurrency}.");
    report.Line();
    report.Line("```yaml");
    report.Line(config.TrimEnd());
    report.Line("```");
    report.Line();

    var opened = b.Transitions.FirstOrDefault(t => t.Provider == "tier1" && t.State == "open");
    report.Line("#### When the circuit of tier1 opened");
    if (opened is null)
    {
        report.Line("**The circuit of tier1 never opened.**");
        report.Line();
        report.Targets.Add(new("B", "circuit of tier1 opens within its sampling window (10 s)", "never opened", false));
        report.Targets.Add(new("B", "requests sent while it is open make no tier1 call", "n/a", false));
    }
    else
    {
        // Open windows: from each "open" line of tier1 to its next transition (half_open after the break), or the end of the load.
        var tier1 = b.Transitions.Where(t => t.Provider == "tier1").ToList();
        var windows = tier1.Select((t, i) => (t, i)).Where(x => x.t.State == "open")
            .Select(x => (From: x.t.AtMs, To: x.i + 1 < tier1.Count ? tier1[x.i + 1].AtMs : double.PositiveInfinity)).ToList();
        var closesAt = windows[0].To;
        bool IsTier1Call(LedgerAttempt x) => x.Provider == "tier1" && x.Status != "skipped";
        bool IsTier1Skip(LedgerAttempt x) => x.Provider == "tier1" && x.Status == "skipped" && x.SkipReason == "circuit_open";
        bool SentWhileOpen(RequestResult r) => windows.Any(w => r.StartMs - b.StartMs >= w.From && r.StartMs - b.StartMs < w.To);
        var byRequest = b.Found.ToDictionary(f => f.Request.Index, f => f.Run);
        var before = b.Results.Where(r => r.StartMs - b.StartMs < opened.AtMs).ToList();
        var during = b.Results.Where(SentWhileOpen).ToList();
        var after = b.Results.Where(r => r.StartMs - b.StartMs >= opened.AtMs && !SentWhileOpen(r)).ToList();
        var afterCalled = after.Where(r => byRequest.ContainsKey(r.Index)).Count(r => byRequest[r.Index].Attempts.Any(IsTier1Call));
        var duringRuns = during.Where(r => byRequest.ContainsKey(r.Index)).Select(r => byRequest[r.Index]).ToList();
        var beforeRuns = before.Where(r => byRequest.ContainsKey(r.Index)).Select(r => byRequest[r.Index]).ToList();
        var duringSkipped = duringRuns.Count(r => r.Attempts.Any(IsTier1Skip));
        var duringCalled = duringRuns.Count(r => r.Attempts.Any(IsTier1Call));
        var beforeCalled = beforeRuns.Count(r => r.Attempts.Any(IsTier1Call));
        var beforeSkipped = beforeRuns.Count(r => r.Attempts.Any(IsTier1Skip));
        double Tier1Ms(IEnumerable<LedgerRun> runs) => runs.Select(r => r.Attempts.Where(IsTier1Call).Sum(x => x.DurationMs ?? 0)).DefaultIfEmpty(double.NaN).Average();
        var completedBefore = b.Results.Count(r => r.EndMs - b.StartMs <= opened.AtMs);
        var firstRunAt = b.Ledger.Values.Select(r => r.StartedAt).DefaultIfEmpty().Min();
        var firstSkipAt = b.Ledger.Values.SelectMany(r => r.Attempts).Where(IsTier1Skip).Select(x => x.StartedAt).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var tier1CallsBeforeSkip = b.Ledger.Values.SelectMany(r => r.Attempts).Count(x => IsTier1Call(x) && x.StartedAt < firstSkipAt);
        var firstSkip = b.Found.Where(f => f.Run.Attempts.Any(IsTier1Skip)).Select(f => f.Request.Index).DefaultIfEmpty(-1).Min();

        report.Table(["figure", "value"], [
            ["circuit of tier1 opened", $"{Report.F(opened.AtMs, "0")} ms after the load started"],
            ["requests sent / completed before it opened", $"{before.Count} / {completedBefore}"],
            ["first request (in send order) with tier1 skipped `circuit_open`", $"#{firstSkip}"],
            ["first `circuit_open` skip in the ledger (gateway clock)", firstSkipAt == DateTimeOffset.MaxValue ? "none" : $"{Report.F((firstSkipAt - firstRunAt).TotalMilliseconds, "0")} ms after the first run started, after {tier1CallsBeforeSkip} tier1 calls"],
            ["next tier1 transition", double.IsPositiveInfinity(closesAt) ? "none before the load ended (break 30 s)" : $"{Report.F(closesAt, "0")} ms ({tier1[1].State})"],
            ["open windows (open line to next tier1 transition)", string.Join(", ", windows.Select(w => $"{Report.F(w.From, "0")}–{(double.IsPositiveInfinity(w.To) ? "end" : Report.F(w.To, "0"))} ms"))],
            ["runs sent before it opened: tier1 called / skipped `circuit_open`", $"{beforeCalled} / {beforeSkipped} (of {beforeRuns.Count})"],
            ["**runs sent while open: tier1 called / skipped `circuit_open`**", $"**{duringCalled} / {duringSkipped}** (of {duringRuns.Count})"],
            ["runs sent while half-open (after a break): tier1 called", $"{afterCalled} (of {after.Count})"],
            ["mean time spent in tier1 calls per run, before / while open (ledger)", $"{Report.F(Tier1Ms(beforeRuns))} ms / {Report.F(Tier1Ms(duringRuns))} ms"],
            ["client latency p50, sent before / while open", $"{Report.F(Analysis.Percentile(before.Select(r => r.LatencyMs), 50))} ms / {Report.F(Analysis.Percentile(during.Select(r => r.LatencyMs), 50))} ms"],
            ["client latency p99, sent before / while open", $"{Report.F(Analysis.Percentile(before.Select(r => r.LatencyMs), 99))} ms / {Report.F(Analysis.Percentile(during.Select(r => r.LatencyMs), 99))} ms"],
        ]);
        report.Targets.Add(new("B", "circuit of tier1 opens within its sampling window (10 s)", $"opened after {Report.F(opened.AtMs, "0")} ms, {completedBefore} requests completed", opened.AtMs <= 10_000));
        report.Targets.Add(new("B", "requests sent while it is open make no tier1 call", $"{duringCalled} of {duringRuns.Count} runs called tier1; {duringSkipped} skipped it `circuit_open`", duringCalled == 0 && duringRuns.Count > 0));
    }

    report.Common(b, gateway);
    report.CommonTargets("B", b);
}

static string? RepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Switchyard.slnx")))
            {
                return dir.FullName;
            }
        }
    }

    return null;
}

static string MemoryGiB()
{
    try
    {
        var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        var kb = line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        return (kb / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);
    }
    catch (IOException)
    {
        return "?";
    }
}
