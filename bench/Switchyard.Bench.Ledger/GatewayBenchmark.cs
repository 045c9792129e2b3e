using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;

namespace Switchyard.Bench.Ledger;

/// <summary>
/// (b) Gateway throughput with the ledger on (SQLite, BufferedLedger) and off (SWITCHYARD_BENCH_NO_LEDGER=1), both
/// gateways running at once and measured in interleaved rounds, then the count check: runs in the database == requests answered.
/// </summary>
internal static class GatewayBenchmark
{
    private const string ChatBody = """{"model":"text","messages":[{"role":"user","content":"a short benchmark prompt"}]}""";

    public static async Task<bool> RunAsync(BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"## (b) gateway throughput: POST /v1/chat/completions, sandbox latency 0ms, concurrency {options.Concurrency}, {options.Rounds} interleaved rounds of {options.Seconds}s");
        await using var on = await BenchGateway.StartAsync(ledger: true);
        await using var off = await BenchGateway.StartAsync(ledger: false);
        await using var queue = options.Split ? await BenchGateway.StartAsync(ledger: false, noLedger: "queue") : null;
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5) };
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };

        long answeredOn = 0;
        long answeredOff = 0;

        // Warm-up (tiered JIT, connection pools, SQLite pages), as long as a round.
        answeredOn += (await LoadAsync(client, on, options.Concurrency, TimeSpan.FromSeconds(options.Seconds))).Answered;
        answeredOff += (await LoadAsync(client, off, options.Concurrency, TimeSpan.FromSeconds(options.Seconds))).Answered;
        if (queue is not null)
        {
            await LoadAsync(client, queue, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));
        }

        var rateOn = new List<double>();
        var rateOff = new List<double>();
        var ratios = new List<double>();
        var cpuOn = new List<double>();
        var cpuOff = new List<double>();
        var projected = new List<double>();
        var cpuQueue = new List<double>();
        Console.WriteLine($"gateway process ids: on {on.ProcessId}, off {off.ProcessId}");
        Console.WriteLine("| round | ledger on req/s | ledger off req/s | on/off | gateway CPU µs/request on | off | on/off | client CPU µs/request on/off | CPU-bound on/off | non-200 on/off |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        for (var round = 1; round <= options.Rounds; round++)
        {
            // Alternate which goes first, so neither always runs on a warmer or cooler machine.
            LoadResult first, second;
            if (round % 2 == 1)
            {
                first = await LoadAsync(client, on, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));
                second = await LoadAsync(client, off, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));
            }
            else
            {
                second = await LoadAsync(client, off, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));
                first = await LoadAsync(client, on, options.Concurrency, TimeSpan.FromSeconds(options.Seconds));
            }

            if (queue is not null)
            {
                cpuQueue.Add((await LoadAsync(client, queue, options.Concurrency, TimeSpan.FromSeconds(options.Seconds))).CpuMicrosPerRequest);
            }

            answeredOn += first.Answered;
            answeredOff += second.Answered;
            rateOn.Add(first.Rate);
            rateOff.Add(second.Rate);
            ratios.Add(first.Rate / second.Rate);
            cpuOn.Add(first.CpuMicrosPerRequest);
            cpuOff.Add(second.CpuMicrosPerRequest);

            // The throughput ratio if the two cores ran only this gateway and this client: (gateway + client CPU) off over on.
            var bound = (second.CpuMicrosPerRequest + second.ClientCpuMicrosPerRequest) / (first.CpuMicrosPerRequest + first.ClientCpuMicrosPerRequest);
            projected.Add(bound);
            Console.WriteLine($"| {round} | {first.Rate:N0} | {second.Rate:N0} | {first.Rate / second.Rate:P1} | {first.CpuMicrosPerRequest:N0} | {second.CpuMicrosPerRequest:N0} | {first.CpuMicrosPerRequest / second.CpuMicrosPerRequest:P0} | {first.ClientCpuMicrosPerRequest:N0}/{second.ClientCpuMicrosPerRequest:N0} | {bound:P1} | {first.Answered - first.Ok}/{second.Answered - second.Ok} |");
        }

        var medianOn = Median(rateOn);
        var medianOff = Median(rateOff);
        Console.WriteLine($"| median | {medianOn:N0} | {medianOff:N0} | {Median(ratios):P1} | {Median(cpuOn):N0} | {Median(cpuOff):N0} | {Median(cpuOn) / Median(cpuOff):P0} | | {Median(projected):P1} | |");
        Console.WriteLine();
        Console.WriteLine($"median on / median off = {medianOn / medianOff:P1}: the ledger costs {1 - (medianOn / medianOff):P1} of throughput (median of the rounds' ratios: {1 - Median(ratios):P1}; target: < 10%)");
        Console.WriteLine($"CPU-bound estimate (two cores for this gateway and client alone): the ledger costs {1 - Median(projected):P1} of throughput (median of the rounds)");
        if (cpuQueue.Count > 0)
        {
            // Medians of the rounds: the queue alone against no ledger, the store as the rest.
            var ledgerCpu = Median(cpuOn) - Median(cpuOff);
            var queueCpu = Median(cpuQueue) - Median(cpuOff);
            Console.WriteLine($"split (--split; gateway CPU per request, medians; queue-only rounds: {string.Join(", ", cpuQueue.Select(c => c.ToString("N1", System.Globalization.CultureInfo.InvariantCulture)))} µs): the ledger {ledgerCpu:N1} µs = the queue {queueCpu:N1} µs (records handed over, coalescing, holding, the writer's wake-ups, over a store that keeps nothing) + the store {ledgerCpu - queueCpu:N1} µs");
        }

        // Count check, first while running (a read flushes the queue: read-your-writes), then after a graceful stop.
        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri(on.BaseAddress, "/v1/runs?limit=1")))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", on.AdminKey);
            using var response = await client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var (runsLive, unfinishedLive, attemptsLive) = await CountAsync(on.DatabasePath);
        var exit = await on.StopAsync();
        var (runs, unfinished, attempts) = await CountAsync(on.DatabasePath);
        var ok = runs == answeredOn && unfinished == 0 && runsLive == answeredOn;
        Console.WriteLine();
        Console.WriteLine($"count check: {answeredOn:N0} requests answered by the ledger-on gateway; runs in SQLite: {runsLive:N0} while running (after a read), {runs:N0} after SIGTERM (exit {exit}); unfinished runs: {unfinished}; attempts: {attempts:N0} -> {(ok ? "no record lost" : "MISMATCH")}");
        Console.WriteLine($"(the ledger-off gateway answered {answeredOff:N0} requests)");
        return ok;
    }

    private static async Task<LoadResult> LoadAsync(HttpClient client, BenchGateway gateway, int concurrency, TimeSpan duration)
    {
        var uri = new Uri(gateway.BaseAddress, "/v1/chat/completions");
        var cpuBefore = gateway.CpuTime;
        using var self = Process.GetCurrentProcess();
        var clientCpuBefore = self.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long answered = 0;
        long ok = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new StringContent(ChatBody, Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.AdminKey);
                using var response = await client.SendAsync(request);
                await response.Content.ReadAsByteArrayAsync();
                Interlocked.Increment(ref answered);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref ok);
                }
            }
        })));
        clock.Stop();
        var cpu = gateway.CpuTime - cpuBefore;
        self.Refresh();
        var clientCpu = self.TotalProcessorTime - clientCpuBefore;
        return new LoadResult(answered, ok, answered / clock.Elapsed.TotalSeconds, cpu.TotalMicroseconds / Math.Max(1, answered), clientCpu.TotalMicroseconds / Math.Max(1, answered));
    }

    private static async Task<(long Runs, long Unfinished, long Attempts)> CountAsync(string file)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        async Task<long> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            return (long)(await command.ExecuteScalarAsync())!;
        }

        return (await ScalarAsync("SELECT COUNT(*) FROM runs;"), await ScalarAsync("SELECT COUNT(*) FROM runs WHERE outcome IS NULL;"), await ScalarAsync("SELECT COUNT(*) FROM attempts;"));
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    // CpuMicrosPerRequest: the gateway process's CPU time during the round over the requests it answered; unlike the
    // rate it hardly depends on what else the shared machine runs, so it shows what the ledger costs per request.
    // ClientCpuMicrosPerRequest: the same for this process, the load generator.
    private readonly record struct LoadResult(long Answered, long Ok, double Rate, double CpuMicrosPerRequest, double ClientCpuMicrosPerRequest);
}
