using Microsoft.Data.Sqlite;
using Switchyard.Ledger;
using Switchyard.Storage.Sqlite;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>The ledger contract on a SQLite file, plus what only SQLite promises.</summary>
public sealed class SqliteLedgerTests : LedgerContractTests
{
    private readonly SqliteTestDatabase _files = new();
    private SqliteLedger _ledger = null!;
    private SqliteDatabase _database = null!;

    [Fact]
    public async Task GetRunAsync_TimeWithTicks_KeepsEveryTick()
    {
        var startedAt = new DateTimeOffset(2026, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1);
        await _ledger.RunStartedAsync(MinimalRun("run_1", startedAt), Ct);

        var loaded = await _ledger.GetRunAsync("run_1", Ct);

        Assert.Equal(startedAt.UtcTicks, loaded!.StartedAt.UtcTicks);
    }

    [Theory]
    [InlineData(19, true)] // SQLITE_CONSTRAINT
    [InlineData(787, true)] // SQLITE_CONSTRAINT_FOREIGNKEY: an attempt of an unknown run
    [InlineData(1299, true)] // SQLITE_CONSTRAINT_NOTNULL
    [InlineData(18, true)] // SQLITE_TOOBIG
    [InlineData(5, false)] // SQLITE_BUSY
    [InlineData(6, false)] // SQLITE_LOCKED
    [InlineData(8, false)] // SQLITE_READONLY
    [InlineData(10, false)] // SQLITE_IOERR
    [InlineData(13, false)] // SQLITE_FULL: the disk, not the record; retried until there is room
    public void IsRejection_SqliteError_OnlyWhenAboutTheRecord(int errorCode, bool rejection) =>
        Assert.Equal(rejection, _ledger.IsRejection(new SqliteException("error", errorCode)));

    [Fact]
    public async Task ListRunsAsync_AfterCursor_UsesStoredStartTimeOfTheAfterRun()
    {
        // Runs a tick apart, which SQLite keeps: the cursor must compare against the stored time exactly.
        for (var i = 0; i < 6; i++)
        {
            await _ledger.RunStartedAsync(MinimalRun($"run_{5 - i}", T0.AddTicks(i)), Ct);
        }

        var page = await _ledger.ListRunsAsync(new RunQuery { After = "run_2", Limit = 10 }, Ct);

        Assert.Equal(["run_3", "run_4", "run_5"], page.Select(r => r.Id));
    }

    // Schema 8: the write the gateway makes for nearly every request is one row, in the runs' b-trees only.
    [Fact]
    public async Task WriteBatchAsync_FinishAndItsOnlySuccessfulAttempt_WritesOneRowOnly()
    {
        await _ledger.WriteBatchAsync([new LedgerWrite.RunFinished(MinimalRun("run_1", T0)), new LedgerWrite.Attempt(SucceededAttempt("run_1", 1))], Ct);

        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM attempt_rows;"));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT attempt_seq FROM runs WHERE id = 'run_1';"));
        Assert.Equal("run_1|1|success|cf|served", await ScalarAsync<string>("SELECT run_id || '|' || seq || '|' || status || '|' || provider || '|' || message FROM attempts;"));
    }

    [Theory]
    [InlineData("started earlier")]
    [InlineData("two attempts")]
    [InlineData("attempt before finish")]
    public async Task WriteBatchAsync_RunWhoseAttemptsCannotGoInItsRow_WritesThemToAttemptRows(string shape)
    {
        var run = MinimalRun("run_1", T0);
        LedgerWrite[] batch = shape switch
        {
            "started earlier" => [new LedgerWrite.RunFinished(run), new LedgerWrite.Attempt(SucceededAttempt("run_1", 1))],
            "two attempts" => [new LedgerWrite.RunFinished(run), new LedgerWrite.Attempt(StartedAttempt("run_1", 1)), new LedgerWrite.Attempt(SucceededAttempt("run_1", 2))],
            _ => [new LedgerWrite.Attempt(SucceededAttempt("run_1", 1)), new LedgerWrite.RunFinished(run)],
        };
        if (shape != "two attempts")
        {
            await _ledger.RunStartedAsync(run, Ct);
        }

        await _ledger.WriteBatchAsync(batch, Ct);

        Assert.Equal(batch.Length - 1L, await ScalarAsync<long>("SELECT COUNT(*) FROM attempt_rows;"));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT COUNT(*) FROM runs WHERE attempt_seq IS NOT NULL;"));
        Assert.Equal(batch.Length - 1L, await ScalarAsync<long>("SELECT COUNT(*) FROM attempts;"));
    }

    [Fact]
    public async Task AttemptsView_RowOfAttemptRowsWithTheRunsSeq_ShowsOnlyThatRow()
    {
        await _ledger.WriteBatchAsync([new LedgerWrite.RunFinished(MinimalRun("run_1", T0)), new LedgerWrite.Attempt(SucceededAttempt("run_1", 1))], Ct);

        await _ledger.AttemptAsync(SucceededAttempt("run_1", 1) with { Message = "newer" }, Ct);

        Assert.Equal("newer", await ScalarAsync<string>("SELECT group_concat(message) FROM attempts;"));
    }

    [Fact]
    public async Task GetAttemptsAsync_ThroughTheView_FindsTheRunsByKey()
    {
        await using var connection = await _database.OpenConnectionAsync(Ct);
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN SELECT * FROM attempts WHERE run_id = 'run_1' ORDER BY seq;";
        var steps = new List<string>();
        using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                steps.Add(reader.GetString(3));
            }
        }

        // SQLite pushes the run id down into both halves of the view; "SCAN attempts" is the view's own output.
        Assert.Contains("SEARCH attempt_rows USING PRIMARY KEY (run_id=?)", steps);
        Assert.Contains(steps, step => step.StartsWith("SEARCH r USING INDEX", StringComparison.Ordinal));
        Assert.DoesNotContain(steps, step => step is "SCAN r" or "SCAN attempt_rows");
    }

    protected override async ValueTask<ILedger> CreateLedgerAsync() => _ledger = new SqliteLedger(_database = await _files.OpenAsync());

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await _database.OpenConnectionAsync(Ct);
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync(Ct))!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override async ValueTask<ILedger> OpenSecondLedgerAsync() => new SqliteLedger(await _files.OpenAsync());

    protected override ValueTask DisposeStoreAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
