using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Switchyard.Bench.Overhead;

// The overhead bench of issue #10 (bench/README.md): nginx as a fixed OpenAI-shaped upstream, wrk as the load, and
// the upstream directly, a bare YARP pass-through, Switchyard and Portkey as targets. Started by bench/overhead/run.sh.
Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    await Console.Error.WriteLineAsync(e.Message);
    return 2;
}

var repo = FindRepo();
var switchyardDll = Path.Combine(repo, "src", "Switchyard", "bin", "Release", "net10.0", "switchyard.dll");
var yarpDll = Path.Combine(repo, "bench", "Switchyard.Bench.Yarp", "bin", "Release", "net10.0", "switchyard-bench-yarp.dll");
var script = Path.Combine(repo, "bench", "overhead", "post.lua");
var portkeyDir = options.PortkeyDir ?? Path.Combine(repo, "bench", "overhead", ".portkey");
var outPath = options.Out ?? Path.Combine(repo, "bench", "overhead", "results", options.Soak ? "soak.md" : "latest.md");
foreach (var required in new[] { switchyardDll, yarpDll })
{
    if (!File.Exists(required))
    {
        await Console.Error.WriteLineAsync($"{required} is missing: build with `dotnet build -c Release` (run.sh does)");
        return 2;
    }
}

var machine = DescribeMachine(repo);
var folder = Directory.CreateTempSubdirectory("switchyard-overhead-").FullName;
Console.WriteLine($"run folder: {folder}");
var bodies = Path.Combine(folder, "bodies");
var (png256, png1024) = Fixtures.Write(folder);
var servers = new List<ServerProcess>();
try
{
    var nginx = await Stack.StartNginxAsync(folder);
    servers.Add(nginx);
    var direct = new Target("direct", "upstream directly (nginx)", nginx, "direct", null, nginx.Port);
    var targets = new List<Target> { direct };
    string? database = null;
    ServerProcess? switchyard = null;
    if (options.Targets.Contains("yarp"))
    {
        var yarp = await Stack.StartYarpAsync(folder, yarpDll, nginx.Port);
        servers.Add(yarp);
        targets.Add(new Target("yarp", "bare YARP (the .NET floor)", yarp, "yarp", null, nginx.Port));
    }

    if (options.Targets.Contains("switchyard"))
    {
        var (server, key, db) = await Stack.StartSwitchyardAsync(folder, switchyardDll, nginx.Port);
        servers.Add(server);
        switchyard = server;
        database = db;
        targets.Add(new Target("switchyard", "Switchyard (ledger, auth, limits, breaker)", server, "switchyard", key, nginx.Port));
    }

    if (options.Targets.Contains("portkey"))
    {
        var portkey = await Stack.StartPortkeyAsync(folder, portkeyDir);
        servers.Add(portkey);
        targets.Add(new Target("portkey", "Portkey gateway (npm)", portkey, "portkey", null, nginx.Port));
    }

    var report = new Report(options, png256, png1024);
    long switchyardResponses = 0;
    long inFlightAllowance = 0;

    if (options.Soak)
    {
        var target = targets.Single(t => t.Name == "switchyard");
        if (await Probe.CheckAsync(target, Scenario.Chat, bodies) is { } problem)
        {
            throw new InvalidOperationException($"switchyard does not answer chat: {problem}");
        }

        switchyardResponses++;
        var soak = await Soak.RunAsync(script, target, bodies, options.SoakMinutes);
        switchyardResponses += soak.Requests;
        inFlightAllowance += 64;
        report.Soak = soak;
    }
    else
    {
        var scenarios = options.Scenarios.Select(Scenario.Named).ToList();
        var broken = new HashSet<(string, string)>();
        foreach (var scenario in scenarios.Append(Scenario.Stream))
        {
            foreach (var target in targets)
            {
                var problem = await Probe.CheckAsync(target, scenario, bodies);
                if (target.Kind == "switchyard")
                {
                    switchyardResponses++;
                }

                if (problem is not null)
                {
                    broken.Add((target.Name, scenario.Name));
                    report.Notes.Add($"{target.Name} / {scenario.Name}: left out, the check request failed: {problem}");
                    Console.WriteLine($"check failed: {target.Name} / {scenario.Name}: {problem}");
                }
            }
        }

        var plan = scenarios.SelectMany(s => (s == Scenario.Image1024 ? new[] { 1 } : [1, 64]).Select(c => (Scenario: s, Connections: c))).ToList();
        async Task<WrkResult> LoadAsync(Target target, Scenario scenario, int connections, int seconds)
        {
            var (url, body, headers) = target.Address(scenario, bodies);
            var watched = target.Kind == "direct" ? null : target.Server;
            var result = await Wrk.RunAsync(script, url, body, headers, connections, seconds, watched);
            if (target.Kind == "switchyard")
            {
                switchyardResponses += result.Requests;
                inFlightAllowance += connections;
            }

            return result;
        }

        Console.WriteLine($"warm-up: {options.WarmupSeconds} s per target and scenario at its highest concurrency");
        foreach (var (scenario, connections) in plan.Where(p => p.Connections == plan.Where(q => q.Scenario == p.Scenario).Max(q => q.Connections)))
        {
            foreach (var target in targets.Where(t => !broken.Contains((t.Name, scenario.Name))))
            {
                await LoadAsync(target, scenario, connections, options.WarmupSeconds);
            }
        }

        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var (scenario, connections) in plan)
            {
                // Interleaved: every target once per round, in an order that rotates per round.
                var order = targets.Skip(round % targets.Count).Concat(targets.Take(round % targets.Count));
                foreach (var target in order.Where(t => !broken.Contains((t.Name, scenario.Name))))
                {
                    var result = await LoadAsync(target, scenario, connections, options.Seconds);
                    report.Add(scenario, connections, target, result);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"round {round + 1} {scenario.Name} c={connections} {target.Name}: {result.RequestsPerSecond:F0} req/s p50 {result.P50Us / 1000.0:F3} ms p99 {result.P99Us / 1000.0:F3} ms errors {result.Errors + result.StatusErrors}"));
                }
            }
        }

        // Streaming time to first byte: sequential requests, interleaved in batches.
        var streamTargets = targets.Where(t => !broken.Contains((t.Name, Scenario.Stream.Name))).ToList();
        const int Batches = 5;

        // Warmed first, as every wrk scenario is (its 3 s warm-up): otherwise the streaming path is timed while the JIT
        // first compiles it (tier 0, then tier 1 after 30 calls), which no long-running gateway shows its clients.
        foreach (var target in streamTargets)
        {
            var warm = await Probe.TimeToFirstByteAsync(target, bodies, options.TtfbRequests);
            if (target.Kind == "switchyard")
            {
                switchyardResponses += warm.Count;
            }
        }

        for (var batch = 0; batch < Batches; batch++)
        {
            foreach (var target in streamTargets)
            {
                var times = await Probe.TimeToFirstByteAsync(target, bodies, Math.Max(1, options.TtfbRequests / Batches));
                report.AddTtfb(target, times);
                if (target.Kind == "switchyard")
                {
                    switchyardResponses += times.Count;
                }
            }
        }
    }

    foreach (var target in targets)
    {
        report.PeakRss[target.Name] = target.Server.PeakRssBytes();
    }

    if (switchyard is not null && database is not null)
    {
        // SIGTERM: the host stores its queued ledger records before it exits; then the ledger is read.
        await switchyard.DisposeAsync();
        servers.Remove(switchyard);
        report.Ledger = CountLedger(database, switchyardResponses, inFlightAllowance);
    }

    var markdown = report.Render(machine);
    Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
    await File.WriteAllTextAsync(outPath, markdown);
    Console.WriteLine();
    Console.WriteLine(markdown);
    Console.WriteLine($"written to {outPath}");
    return report.AllMet ? 0 : 1;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or FileNotFoundException or IOException)
{
    await Console.Error.WriteLineAsync($"the bench could not run: {e.Message}");
    return 2;
}
finally
{
    foreach (var server in Enumerable.Reverse(servers))
    {
        await server.DisposeAsync();
    }

    if (!options.Keep)
    {
        Directory.Delete(folder, recursive: true);
    }
}

static LedgerCount CountLedger(string database, long responses, long inFlightAllowance)
{
    using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = database, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
    connection.Open();
    long Scalar(string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    return new LedgerCount(responses, inFlightAllowance, Scalar("SELECT count(*) FROM runs"), Scalar("SELECT count(*) FROM runs WHERE outcome IS NULL"),
        Scalar("SELECT count(*) FROM runs WHERE outcome = 'success'"), Scalar("SELECT count(*) FROM attempts"));
}

static string FindRepo()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "Switchyard.slnx")))
        {
            return dir.FullName;
        }
    }

    throw new InvalidOperationException("Switchyard.slnx not found above the bench");
}

static string DescribeMachine(string repo)
{
    static string Run(string file, params string[] arguments)
    {
        try
        {
            var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start)!;
            var text = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            process.WaitForExit();
            return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault()?.Trim() ?? "";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not installed";
        }
    }

    var memory = File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
    var text = new StringBuilder();
    text.Append(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; {System.Environment.ProcessorCount} cores (`nproc`), ");
    text.Append(CultureInfo.InvariantCulture, $"{long.Parse(memory, CultureInfo.InvariantCulture) / 1024 / 1024.0:F1} GiB; load average before: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}; ");
    text.Append(CultureInfo.InvariantCulture, $".NET {System.Environment.Version}; {Run("nginx", "-v")}; {Run("wrk", "-v")}; node {Run("node", "--version")}; ");
    text.Append(CultureInfo.InvariantCulture, $"Switchyard at {Run("git", "-C", repo, "rev-parse", "--short", "HEAD")}. Load generator, upstream and gateways share the same cores.");
    return text.ToString();
}
