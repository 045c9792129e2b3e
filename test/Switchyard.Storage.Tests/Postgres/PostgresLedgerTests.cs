using Npgsql;
using Switchyard.Ledger;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Tests.Contract;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>The ledger contract on PostgreSQL; the class has a database of its own, emptied before each test; a second ledger is a second node.</summary>
public sealed class PostgresLedgerTests(PostgresTestDatabase database) : LedgerContractTests, IClassFixture<PostgresTestDatabase>
{
    private PostgresLedger _ledger = null!;

    [Fact]
    public async Task GetRunAsync_TimeWithTicks_KeepsMicroseconds()
    {
        var startedAt = StorageTestTime.Start.AddTicks(1_234_567);
        await _ledger.RunStartedAsync(MinimalRun("run_1", startedAt), Ct);

        var loaded = await _ledger.GetRunAsync("run_1", Ct);

        Assert.Equal(StorageTestTime.Start.AddTicks(1_234_560), loaded!.StartedAt);
    }

    [Fact]
    public async Task ListRunsAsync_AfterCursorOnSubMicrosecondTimes_UsesStoredTime()
    {
        // Both runs store the same microsecond, so the cursor falls back to the id order, as for equal times.
        await _ledger.RunStartedAsync(MinimalRun("run_a", StorageTestTime.Start.AddTicks(1)), Ct);
        await _ledger.RunStartedAsync(MinimalRun("run_b", StorageTestTime.Start.AddTicks(2)), Ct);

        var page = await _ledger.ListRunsAsync(new RunQuery { After = "run_b" }, Ct);

        Assert.Equal(["run_a"], page.Select(r => r.Id));
    }

    [Theory]
    [InlineData("23503", true)] // foreign_key_violation: an attempt of an unknown run
    [InlineData("23502", true)] // not_null_violation
    [InlineData("22001", true)] // string_data_right_truncation
    [InlineData("22P05", true)] // untranslatable_character
    [InlineData("57P01", false)] // admin_shutdown
    [InlineData("53100", false)] // disk_full: the server, not the record; retried until there is room
    [InlineData("40001", false)] // serialization_failure
    [InlineData("08006", false)] // connection_failure
    public void IsRejection_PostgresError_OnlyWhenAboutTheRecord(string sqlState, bool rejection) =>
        Assert.Equal(rejection, _ledger.IsRejection(new PostgresException("error", "ERROR", "ERROR", sqlState)));

    [Fact]
    public void IsRejection_ConnectionLost_IsFalse() =>
        Assert.False(_ledger.IsRejection(new NpgsqlException("Exception while reading from stream", new IOException("Connection reset"))));

    protected override async ValueTask<ILedger> CreateLedgerAsync()
    {
        var opened = await database.OpenAsync();
        await database.ResetAsync();
        return _ledger = new PostgresLedger(opened);
    }

    protected override async ValueTask<ILedger> OpenSecondLedgerAsync() => new PostgresLedger(await database.OpenAsync());

    protected override async ValueTask DisposeStoreAsync() => await database.CloseOpenedAsync();
}
