using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Bench.Ledger;

/// <summary>(a) Sustained ledger writes per second on each store, through <see cref="BufferedLedger"/> and, for scale, directly.</summary>
internal static class StoreBenchmark
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static async Task<bool> RunAsync(BenchOptions options)
    {
        Console.WriteLine();
        Console.WriteLine($"## (a) ledger writes: {options.Runs:N0} runs x (1 start + {options.AttemptsPerRun} attempts) from {options.Writers} concurrent writers");
        Console.WriteLine("| store | path | attempts/s | writes/s | seconds | runs in DB | attempts in DB | lost |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|---:|");
        var ok = true;

        var folder = Directory.CreateTempSubdirectory("switchyard-bench-").FullName;
        try
        {
            using (var sqlite = await SqliteStorage.OpenAsync(Path.Combine(folder, "buffered.db"), TimeProvider.System, CancellationToken.None))
            {
                ok &= await MeasureAsync("SQLite", "BufferedLedger", new SqliteLedger(sqlite), options.Runs, options, table => SqliteCountAsync(sqlite.FilePath, table));
            }

            using (var sqlite = await SqliteStorage.OpenAsync(Path.Combine(folder, "direct.db"), TimeProvider.System, CancellationToken.None))
            {
                ok &= await MeasureAsync("SQLite", "direct (no buffer)", new SqliteLedger(sqlite), options.Runs / 10, options, table => SqliteCountAsync(sqlite.FilePath, table), buffered: false);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }

        await using (var postgres = await BenchPostgres.CreateAsync())
        {
            if (postgres is not null)
            {
                await using var database = await PostgresStorage.OpenAsync(postgres.Url, TimeProvider.System, CancellationToken.None);
                ok &= await MeasureAsync("PostgreSQL", "BufferedLedger", new PostgresLedger(database), options.Runs, options, postgres.CountAsync);
                await using (var connection = await OpenAsync(postgres.Url))
                {
                    await using var truncate = new Npgsql.NpgsqlCommand("TRUNCATE runs, attempts;", connection);
                    await truncate.ExecuteNonQueryAsync();
                }

                ok &= await MeasureAsync("PostgreSQL", "direct (no buffer)", new PostgresLedger(database), options.Runs / 10, options, postgres.CountAsync, buffered: false);
            }
        }

        return ok;
    }

    private static async Task<bool> MeasureAsync(string store, string path, ILedger storeLedger, int runs, BenchOptions options, Func<string, Task<long>> countAsync, bool buffered = true)
    {
        var ledger = buffered
            ? new BufferedLedger(storeLedger, new BufferedLedgerOptions(), TimeProvider.System, NullLogger<BufferedLedger>.Instance)
            : storeLedger;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, options.Writers).Select(writer => Task.Run(async () =>
        {
            for (var i = writer; i < runs; i += options.Writers)
            {
                var id = $"run_{i:D8}";
                await ledger.RunStartedAsync(Run(id, i), CancellationToken.None);
                for (var seq = 1; seq <= options.AttemptsPerRun; seq++)
                {
                    await ledger.AttemptAsync(Attempt(id, seq), CancellationToken.None);
                }
            }
        })));
        if (ledger is BufferedLedger queue)
        {
            await queue.FlushAsync(CancellationToken.None);
        }

        clock.Stop();
        if (ledger is BufferedLedger disposable)
        {
            await disposable.DisposeAsync();
        }

        var attempts = (long)runs * options.AttemptsPerRun;
        var storedRuns = await countAsync("runs");
        var storedAttempts = await countAsync("attempts");
        var lost = (runs - storedRuns) + (attempts - storedAttempts);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"| {store} | {path} | {attempts / seconds:N0} | {(runs + attempts) / seconds:N0} | {seconds:N1} | {storedRuns:N0} | {storedAttempts:N0} | {lost} |");
        return lost == 0;
    }

    private static async Task<long> SqliteCountAsync(string file, string table)
    {
        await using var connection = new SqliteConnection($"Data Source={file};Mode=ReadOnly");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table};";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<Npgsql.NpgsqlConnection> OpenAsync(string url)
    {
        var connection = new Npgsql.NpgsqlConnection(BenchPostgres.KeywordString(url));
        await connection.OpenAsync();
        return connection;
    }

    private static RunRecord Run(string id, int i) => new()
    {
        Id = id,
        StartedAt = T0.AddMilliseconds(i),
        KeyId = "key_bench",
        Route = "text",
        Modality = Modality.Text,
        RequestedModel = "text",
        Endpoint = "chat.completions",
        PromptHash = new string('a', 64),
        PromptPreview = "a benchmark prompt of ordinary length for the ledger",
        RequestSummary = """{"max_tokens":64}""",
    };

    private static AttemptRecord Attempt(string runId, int seq) => new()
    {
        RunId = runId,
        Seq = seq,
        Tier = seq - 1,
        Provider = "sandbox-a",
        ProviderType = "sandbox",
        Model = "sandbox-text",
        Status = seq % 2 == 0 ? AttemptStatus.Success : AttemptStatus.Failed,
        ErrorClass = seq % 2 == 0 ? null : ErrorClass.Timeout,
        Step = "send",
        StartedAt = T0.AddSeconds(seq),
        DurationMs = 12.5,
        Bytes = 2048,
        CostUsd = 0.0004m,
    };
}
