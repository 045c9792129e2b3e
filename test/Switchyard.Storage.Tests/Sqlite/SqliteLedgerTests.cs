using Switchyard.Ledger;
using Switchyard.Storage.Sqlite;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>The ledger contract on a SQLite file, plus what only SQLite promises.</summary>
public sealed class SqliteLedgerTests : LedgerContractTests
{
    private readonly SqliteTestDatabase _files = new();
    private SqliteLedger _ledger = null!;

    [Fact]
    public async Task GetRunAsync_TimeWithTicks_KeepsEveryTick()
    {
        var startedAt = new DateTimeOffset(2026, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1);
        await _ledger.RunStartedAsync(MinimalRun("run_1", startedAt), Ct);

        var loaded = await _ledger.GetRunAsync("run_1", Ct);

        Assert.Equal(startedAt.UtcTicks, loaded!.StartedAt.UtcTicks);
    }

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

    protected override async ValueTask<ILedger> CreateLedgerAsync() => _ledger = new SqliteLedger(await _files.OpenAsync());

    protected override async ValueTask<ILedger> OpenSecondLedgerAsync() => new SqliteLedger(await _files.OpenAsync());

    protected override ValueTask DisposeStoreAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
