using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Bench.Ledger;

/// <summary>
/// (d) What SQLite's batch writer costs per gateway request, without the queue, the load or the thread pool around it:
/// batches shaped as <see cref="BufferedLedger"/> hands them to the store under a chat load (per request either the
/// coalesced finish, or a start in one batch and its finish in the next), built before the clock starts and written
/// one after another on one thread. The CPU time per request of that thread (the writes complete synchronously, so they
/// stay on it) is far steadier than (b) and (c), so it is the figure to compare two builds of the store with.
/// </summary>
internal static partial class BatchShapeBenchmark
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<bool> RunAsync(BenchOptions options)
    {
        var perBatch = options.BatchRequests;
        var batchCount = 45_000 / perBatch;
        var spanning = options.SpanningPercent / 100.0;
        Console.WriteLine();
        Console.WriteLine($"## (d) SQLite batch writes per chat request: batches of {perBatch} requests, {options.SpanningPercent} % of them started in one batch and finished in the next, {batchCount} batches per round");
        Console.WriteLine("| round | requests | writes | thread CPU µs/request | process CPU µs/request | wall µs/request | runs in DB |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|");
        var folder = Directory.CreateTempSubdirectory("switchyard-bench-batches-").FullName;
        var ok = true;
        var cpuPerRequest = new List<double>();
        try
        {
            using var sqlite = await SqliteStorage.OpenAsync(Path.Combine(folder, "ledger.db"), TimeProvider.System, CancellationToken.None);
            var store = new SqliteLedger(sqlite);
            var next = 0L;
            for (var round = 1; round <= options.Rounds + 1; round++)
            {
                var batches = Shape(ref next, batchCount, perBatch, spanning);
                using var process = Process.GetCurrentProcess();
                process.Refresh();
                var cpuBefore = process.TotalProcessorTime;
                var threadBefore = ThreadCpu();
                var clock = Stopwatch.StartNew();
                foreach (var batch in batches)
                {
                    await store.WriteBatchAsync(batch, CancellationToken.None);
                }

                clock.Stop();
                var thread = ThreadCpu() - threadBefore;
                process.Refresh();
                var cpu = process.TotalProcessorTime - cpuBefore;
                var requests = batchCount * perBatch;
                var stored = await RequestShapeBenchmark.CountFinishedRunsAsync(sqlite.FilePath);
                ok &= stored == next;

                // The first round warms up the JIT and the page cache and is not counted.
                if (round > 1)
                {
                    cpuPerRequest.Add(thread.TotalMicroseconds / requests);
                }

                Console.WriteLine($"| {(round == 1 ? "warm-up" : (round - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))} | {requests:N0} | {batches.Sum(b => b.Count):N0} | {thread.TotalMicroseconds / requests:N2} | {cpu.TotalMicroseconds / requests:N2} | {clock.Elapsed.TotalMicroseconds / requests:N2} | {stored:N0} |");
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        cpuPerRequest.Sort();
        Console.WriteLine($"median thread CPU per request: {cpuPerRequest[cpuPerRequest.Count / 2]:N2} µs");
        return ok;
    }

    // The batches of requests next .. next + count * size: a request is either finished within its batch (its
    // coalesced finish and final attempt) or, for the spanning share at the end of each batch, started there (start and
    // started attempt) and finished at the head of the next batch. The last batch's spanning requests finish in a tail batch.
    private static List<List<LedgerWrite>> Shape(ref long next, int count, int size, double spanning)
    {
        var batches = new List<List<LedgerWrite>>(count + 1);
        var carried = new List<long>();
        var spanningPerBatch = (int)Math.Round(size * spanning);
        for (var b = 0; b < count; b++)
        {
            var batch = new List<LedgerWrite>(size * 2 + carried.Count * 2);
            foreach (var i in carried)
            {
                batch.Add(new LedgerWrite.RunFinished(Finished(i)));
                batch.Add(new LedgerWrite.Attempt(Final(i)));
            }

            carried.Clear();
            for (var k = 0; k < size; k++, next++)
            {
                if (k >= size - spanningPerBatch)
                {
                    batch.Add(new LedgerWrite.RunStarted(Started(next)));
                    batch.Add(new LedgerWrite.Attempt(Attempt(next)));
                    carried.Add(next);
                }
                else
                {
                    batch.Add(new LedgerWrite.RunFinished(Finished(next)));
                    batch.Add(new LedgerWrite.Attempt(Final(next)));
                }
            }

            batches.Add(batch);
        }

        batches.Add([.. carried.SelectMany(i => new LedgerWrite[] { new LedgerWrite.RunFinished(Finished(i)), new LedgerWrite.Attempt(Final(i)) })]);
        return batches;
    }

    // A UUIDv7-shaped id, as the gateway's: the start's millisecond first (16 requests per millisecond), then bits that vary.
    private static string Id(long i) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"run_{T0.AddMilliseconds(i / 16).ToUnixTimeMilliseconds():x12}7{(ulong)i * 0x9E3779B97F4A7C15UL:x16}abc");

    private static RunRecord Started(long i) => new()
    {
        Id = Id(i),
        StartedAt = T0.AddTicks(i * 625),
        KeyId = "key_01JBENCHKEY0000000000000",
        Route = "text",
        Modality = Modality.Text,
        RequestedModel = "text",
        Endpoint = "chat.completions",
        PromptHash = "5b7c1e0d9a6f4e2b8c3d7a1f0e9b6c5d4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d",
        PromptPreview = "Write a two-line rhyme about a cat who learns to fly",
        RequestSummary = """{"messages":2,"max_tokens":64}""",
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
    };

    private static RunRecord Finished(long i) => Started(i) with
    {
        Outcome = RunOutcome.Success,
        ServedProvider = "openai-main",
        ServedProviderType = "openai-compatible",
        ServedModel = "gpt-4o-mini",
        ServedTier = 0,
        HttpStatus = 200,
        ResponseSummary = """{"choices":1,"prompt_tokens":24,"completion_tokens":18}""",
        DurationMs = 3.25,
        AttemptCount = 1,
        CostUsd = 0.0000144m,
    };

    private static AttemptRecord Attempt(long i) => new()
    {
        RunId = Id(i),
        Seq = 1,
        Tier = 0,
        Provider = "openai-main",
        ProviderType = "openai-compatible",
        Model = "gpt-4o-mini",
        Status = AttemptStatus.Started,
        Step = "send",
        StartedAt = T0.AddTicks(i * 625),
    };

    private static AttemptRecord Final(long i) => Attempt(i) with
    {
        Status = AttemptStatus.Success,
        HttpStatus = 200,
        Step = "receive",
        DurationMs = 3.1,
        Bytes = 412,
        CostUsd = 0.0000144m,
    };

    // The calling thread's CPU time (user and system), from clock_gettime(CLOCK_THREAD_CPUTIME_ID).
    private static TimeSpan ThreadCpu()
    {
        const int ThreadCpuTimeClock = 3;
        if (ClockGetTime(ThreadCpuTimeClock, out var time) != 0)
        {
            throw new InvalidOperationException("clock_gettime failed");
        }

        return TimeSpan.FromTicks(time.Seconds * TimeSpan.TicksPerSecond + time.Nanoseconds / 100);
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
