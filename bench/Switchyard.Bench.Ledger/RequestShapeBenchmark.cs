using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Bench.Ledger;

/// <summary>
/// (c) What the ledger costs per gateway request, in-process: the writes one chat request makes (run started, attempt
/// started, attempt ended, run finished) through <see cref="BufferedLedger"/> into SQLite, at a paced rate like a busy
/// gateway's, measured as this process's CPU time per request. Nothing else runs in the process, so the CPU is the ledger's.
/// </summary>
internal static class RequestShapeBenchmark
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<bool> RunAsync(BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"## (c) ledger CPU per gateway-shaped request (start, attempt started, attempt ended, finish {options.LatencyMs} ms after the start), SQLite, {options.Seconds}s per rate");
        Console.WriteLine("| offered req/s | stored req/s | CPU µs/request | of which the load loop | batches | writes/batch | writes stored/request | attempts in their run's row | runs in DB | lost |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var ok = true;
        var latency = TimeSpan.FromMilliseconds(options.LatencyMs);
        foreach (var rate in options.Rates)
        {
            // The same loop with records made and dropped: what the load itself costs, to subtract.
            var (loopSent, loopCpu, _) = await LoadAsync(null, rate, TimeSpan.FromSeconds(Math.Max(2, options.Seconds / 2)), latency);
            var folder = Directory.CreateTempSubdirectory("switchyard-bench-rq-").FullName;
            try
            {
                using var sqlite = await SqliteStorage.OpenAsync(Path.Combine(folder, "ledger.db"), TimeProvider.System, CancellationToken.None);
                var counting = new CountingBatchWriter(new SqliteLedger(sqlite));
                var ledger = new BufferedLedger(counting, new BufferedLedgerOptions(), TimeProvider.System, NullLogger<BufferedLedger>.Instance);
                var (sent, cpu, elapsed) = await LoadAsync(ledger, rate, TimeSpan.FromSeconds(options.Seconds), latency);
                await ledger.DisposeAsync();
                var stored = await CountFinishedRunsAsync(sqlite.FilePath);
                var lost = sent - stored;
                var carried = await CountAsync(sqlite.FilePath, "SELECT COUNT(*) FROM runs WHERE attempt_seq IS NOT NULL;");
                ok &= lost == 0;
                Console.WriteLine($"| {(rate <= 0 ? "max" : rate.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))} | {sent / elapsed.TotalSeconds:N0} | {cpu.TotalMicroseconds / sent:N1} | {loopCpu.TotalMicroseconds / loopSent:N1} | {counting.Batches:N0} | {(double)counting.Writes / Math.Max(1, counting.Batches):N1} | {(double)counting.Writes / sent:N2} | {100.0 * carried / Math.Max(1, stored):N1} % | {stored:N0} | {lost} |");
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(folder, recursive: true);
            }
        }

        return ok;
    }

    // Offers the requests at the rate (0: as fast as the ledger takes them) for the duration, then waits until all are
    // stored; returns how many, the process's CPU time and the time taken. A request's finish (final attempt, run
    // finished) is offered the latency after its start, as a gateway's is, so some finishes fall in a later batch
    // than their start and update the rows the start wrote.
    private static async Task<(long Sent, TimeSpan Cpu, TimeSpan Elapsed)> LoadAsync(BufferedLedger? ledger, int rate, TimeSpan duration, TimeSpan latency)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var sent = 0L;
        var finished = 0L;
        var startedAt = new Queue<TimeSpan>();
        while (clock.Elapsed < duration)
        {
            var now = clock.Elapsed;
            var due = rate <= 0 ? sent + 64 : (long)(now.TotalSeconds * rate);
            for (; sent < due; sent++)
            {
                await StartAsync(ledger, sent);
                startedAt.Enqueue(now);
            }

            while (startedAt.TryPeek(out var started) && (now - started >= latency || rate <= 0 && startedAt.Count > 64))
            {
                startedAt.Dequeue();
                await FinishAsync(ledger, finished++);
            }

            if (rate > 0)
            {
                await Task.Delay(1);
            }
        }

        while (finished < sent)
        {
            await FinishAsync(ledger, finished++);
        }

        if (ledger is not null)
        {
            await ledger.FlushAsync(CancellationToken.None);
        }

        clock.Stop();
        process.Refresh();
        return (sent, process.TotalProcessorTime - cpuBefore, clock.Elapsed);
    }

    private static RunRecord Run(long i) => new()
    {
        Id = $"run_{i:D10}",
        StartedAt = T0.AddTicks(i * 1000),
        KeyId = "key_bench",
        Route = "text",
        Modality = Modality.Text,
        RequestedModel = "text",
        Endpoint = "chat.completions",
        PromptHash = new string('a', 64),
        PromptPreview = "a short benchmark prompt",
        RequestSummary = """{"messages":1}""",
    };

    private static AttemptRecord Attempt(RunRecord run) => new()
    {
        RunId = run.Id,
        Seq = 1,
        Tier = 0,
        Provider = "sandbox-a",
        ProviderType = "sandbox",
        Model = "sandbox-text",
        Status = AttemptStatus.Started,
        Step = "send",
        StartedAt = run.StartedAt,
    };

    private static async ValueTask StartAsync(BufferedLedger? ledger, long i)
    {
        var run = Run(i);
        if (ledger is null)
        {
            GC.KeepAlive(Attempt(run));
            return;
        }

        await ledger.RunStartedAsync(run, CancellationToken.None);
        await ledger.AttemptAsync(Attempt(run), CancellationToken.None);
    }

    private static async ValueTask FinishAsync(BufferedLedger? ledger, long i)
    {
        var run = Run(i);
        var attempt = Attempt(run) with { Status = AttemptStatus.Success, Step = "store", DurationMs = 0.3, CostUsd = 0.0001m };
        run = run with { Outcome = RunOutcome.Success, ServedProvider = "sandbox-a", ServedProviderType = "sandbox", ServedModel = "sandbox-text", ServedTier = 0, HttpStatus = 200, ResponseSummary = """{"choices":1}""", DurationMs = 0.5, AttemptCount = 1, CostUsd = 0.0001m };
        if (ledger is null)
        {
            GC.KeepAlive(attempt);
            GC.KeepAlive(run);
            return;
        }

        await ledger.AttemptAsync(attempt, CancellationToken.None);
        await ledger.RunFinishedAsync(run, CancellationToken.None);
    }

    /// <summary>The finished runs in a SQLite ledger file, counted on a connection of its own (the count check of (c) and (d)).</summary>
    internal static Task<long> CountFinishedRunsAsync(string file) => CountAsync(file, "SELECT COUNT(*) FROM runs WHERE outcome IS NOT NULL;");

    private static async Task<long> CountAsync(string file, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    // Counts the batches and the writes that reach the store (after coalescing).
    private sealed class CountingBatchWriter(SqliteLedger inner) : ILedger, ILedgerBatchWriter
    {
        public long Batches { get; private set; }

        public long Writes { get; private set; }

        public ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken)
        {
            Batches++;
            Writes += writes.Count;
            return inner.WriteBatchAsync(writes, cancellationToken);
        }

        public bool IsRejection(Exception exception) => inner.IsRejection(exception);

        public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => inner.RunStartedAsync(run, cancellationToken);

        public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken) => inner.AttemptAsync(attempt, cancellationToken);

        public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => inner.RunFinishedAsync(run, cancellationToken);

        public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => inner.GetRunAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) => inner.GetAttemptsAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => inner.ListRunsAsync(query, cancellationToken);

        public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) => inner.GetRunFactsAsync(query, cancellationToken);

        public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => inner.DeleteRunsBeforeAsync(cutoff, cancellationToken);
    }
}
