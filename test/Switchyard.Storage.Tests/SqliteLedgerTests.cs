using Microsoft.Data.Sqlite;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Storage.Tests;

public sealed class SqliteLedgerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = TestDatabase.Start;

    private readonly TestDatabase _files = new();
    private SqliteLedger _ledger = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _ledger = new SqliteLedger(await _files.OpenAsync());

    public ValueTask DisposeAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task GetRunAsync_AfterStartWithEveryField_RoundTrips()
    {
        var run = FullRun("run_1");

        await _ledger.RunStartedAsync(run, Ct);

        Assert.Equal(run, await _ledger.GetRunAsync("run_1", Ct));
    }

    [Fact]
    public async Task GetRunAsync_AfterStartWithOnlyRequiredFields_RoundTripsNulls()
    {
        var run = MinimalRun("run_1", T0);

        await _ledger.RunStartedAsync(run, Ct);

        Assert.Equal(run, await _ledger.GetRunAsync("run_1", Ct));
    }

    [Fact]
    public async Task GetRunAsync_TimeWithOffsetAndTicks_KeepsInstant()
    {
        var startedAt = new DateTimeOffset(2026, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(1);
        await _ledger.RunStartedAsync(MinimalRun("run_1", startedAt), Ct);

        var loaded = await _ledger.GetRunAsync("run_1", Ct);

        Assert.Equal(startedAt.UtcTicks, loaded!.StartedAt.UtcTicks);
        Assert.Equal(TimeSpan.Zero, loaded.StartedAt.Offset);
    }

    [Fact]
    public async Task GetRunAsync_UnknownId_ReturnsNull()
    {
        Assert.Null(await _ledger.GetRunAsync("run_missing", Ct));
    }

    [Fact]
    public async Task RunStartedAsync_DuplicateId_Throws()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);

        await Assert.ThrowsAsync<SqliteException>(async () => await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct));
    }

    [Fact]
    public async Task RunFinishedAsync_AfterStart_ReplacesEveryField()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        var finished = FullRun("run_1");

        await _ledger.RunFinishedAsync(finished, Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
    }

    [Fact]
    public async Task RunFinishedAsync_FinishedBackToNulls_ClearsFields()
    {
        await _ledger.RunStartedAsync(FullRun("run_1"), Ct);
        var finished = MinimalRun("run_1", T0) with { Outcome = RunOutcome.Failed };

        await _ledger.RunFinishedAsync(finished, Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
    }

    [Fact]
    public async Task RunFinishedAsync_WithoutStart_StoresRun()
    {
        var run = FullRun("run_1");

        await _ledger.RunFinishedAsync(run, Ct);

        Assert.Equal(run, await _ledger.GetRunAsync("run_1", Ct));
    }

    [Fact]
    public async Task GetRunAsync_EveryModalityOutcomeAndErrorClass_RoundTrips()
    {
        var runs = new List<RunRecord>();
        foreach (var modality in Enum.GetValues<Modality>())
        {
            foreach (var outcome in Enum.GetValues<RunOutcome>())
            {
                foreach (var errorClass in Enum.GetValues<ErrorClass>())
                {
                    runs.Add(MinimalRun($"run_{runs.Count}", T0) with { Modality = modality, Outcome = outcome, ErrorClass = errorClass });
                }
            }
        }

        foreach (var run in runs)
        {
            await _ledger.RunStartedAsync(run, Ct);
        }

        foreach (var run in runs)
        {
            Assert.Equal(run, await _ledger.GetRunAsync(run.Id, Ct));
        }
    }

    [Fact]
    public async Task GetAttemptsAsync_AttemptWithEveryField_RoundTrips()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        var attempt = FullAttempt("run_1", 1);

        await _ledger.AttemptAsync(attempt, Ct);

        Assert.Equal([attempt], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task GetAttemptsAsync_AttemptWithOnlyRequiredFields_RoundTripsNulls()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        var attempt = StartedAttempt("run_1", 1);

        await _ledger.AttemptAsync(attempt, Ct);

        Assert.Equal([attempt], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task GetAttemptsAsync_EveryStatusErrorClassAndSkipReason_RoundTrips()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        var attempts = new List<AttemptRecord>();
        foreach (var status in Enum.GetValues<AttemptStatus>())
        {
            attempts.Add(StartedAttempt("run_1", attempts.Count + 1) with { Status = status });
        }

        foreach (var errorClass in Enum.GetValues<ErrorClass>())
        {
            attempts.Add(StartedAttempt("run_1", attempts.Count + 1) with { Status = AttemptStatus.Failed, ErrorClass = errorClass });
        }

        foreach (var reason in Enum.GetValues<SkipReason>())
        {
            attempts.Add(StartedAttempt("run_1", attempts.Count + 1) with { Status = AttemptStatus.Skipped, SkipReason = reason });
        }

        foreach (var attempt in attempts)
        {
            await _ledger.AttemptAsync(attempt, Ct);
        }

        Assert.Equal(attempts, await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task AttemptAsync_SameRunAndSeq_ReplacesStartedWithFinal()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_1", 1), Ct);
        var final = StartedAttempt("run_1", 1) with
        {
            Status = AttemptStatus.Success,
            HttpStatus = 200,
            DurationMs = 812.25,
            Bytes = 1_048_576,
            Step = "store",
        };

        await _ledger.AttemptAsync(final, Ct);

        Assert.Equal([final], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task AttemptAsync_FinalThenNullFields_ClearsFields()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        await _ledger.AttemptAsync(FullAttempt("run_1", 1), Ct);
        var replacement = StartedAttempt("run_1", 1);

        await _ledger.AttemptAsync(replacement, Ct);

        Assert.Equal([replacement], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task GetAttemptsAsync_WrittenOutOfOrder_ReturnsOrderedBySeq()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        foreach (var seq in new[] { 3, 1, 10, 2 })
        {
            await _ledger.AttemptAsync(StartedAttempt("run_1", seq), Ct);
        }

        var attempts = await _ledger.GetAttemptsAsync("run_1", Ct);

        Assert.Equal([1, 2, 3, 10], attempts.Select(a => a.Seq));
    }

    [Fact]
    public async Task GetAttemptsAsync_OtherRuns_ReturnsOnlyThisRun()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        await _ledger.RunStartedAsync(MinimalRun("run_2", T0), Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_1", 1), Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_2", 1), Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_2", 2), Ct);

        Assert.Single(await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Empty(await _ledger.GetAttemptsAsync("run_missing", Ct));
    }

    [Fact]
    public async Task AttemptAsync_UnknownRun_ThrowsInsteadOfDropping()
    {
        await Assert.ThrowsAsync<SqliteException>(async () => await _ledger.AttemptAsync(StartedAttempt("run_missing", 1), Ct));
    }

    [Fact]
    public async Task ListRunsAsync_NoFilter_ReturnsAllNewestFirst()
    {
        await SeedRunsAsync();

        Assert.Equal(["r4", "r3", "r2", "r1"], await ListIdsAsync(new RunQuery()));
    }

    [Fact]
    public async Task ListRunsAsync_KeyId_ReturnsOnlyThatKey()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3", "r1"], await ListIdsAsync(new RunQuery { KeyId = "key_a" }));
    }

    [Fact]
    public async Task ListRunsAsync_Since_IncludesRunsAtOrAfter()
    {
        await SeedRunsAsync();

        Assert.Equal(["r4", "r3", "r2"], await ListIdsAsync(new RunQuery { Since = T0.AddMinutes(1) }));
    }

    [Fact]
    public async Task ListRunsAsync_SinceInOtherOffset_ComparesInstants()
    {
        await SeedRunsAsync();

        var since = T0.AddMinutes(2).ToOffset(TimeSpan.FromHours(-5));

        Assert.Equal(["r4", "r3"], await ListIdsAsync(new RunQuery { Since = since }));
    }

    [Fact]
    public async Task ListRunsAsync_Outcome_ReturnsOnlyThatOutcome()
    {
        await SeedRunsAsync();

        Assert.Equal(["r2"], await ListIdsAsync(new RunQuery { Outcome = RunOutcome.Failed }));
        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { Outcome = RunOutcome.Degraded }));
    }

    [Fact]
    public async Task ListRunsAsync_Route_ReturnsOnlyThatRoute()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3", "r1"], await ListIdsAsync(new RunQuery { Route = "image" }));
    }

    [Fact]
    public async Task ListRunsAsync_Provider_ReturnsOnlyRunsServedByIt()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { Provider = "stability" }));
    }

    [Fact]
    public async Task ListRunsAsync_Limit_ReturnsNewestWithinLimit()
    {
        await SeedRunsAsync();

        Assert.Equal(["r4", "r3"], await ListIdsAsync(new RunQuery { Limit = 2 }));
    }

    [Fact]
    public async Task ListRunsAsync_LimitZero_ReturnsEmpty()
    {
        await SeedRunsAsync();

        Assert.Empty(await ListIdsAsync(new RunQuery { Limit = 0 }));
    }

    [Fact]
    public async Task ListRunsAsync_SeveralFilters_AppliesAll()
    {
        await SeedRunsAsync();

        Assert.Equal(["r1"], await ListIdsAsync(new RunQuery { KeyId = "key_a", Outcome = RunOutcome.Success, Route = "image", Provider = "openai", Since = T0 }));
        Assert.Empty(await ListIdsAsync(new RunQuery { KeyId = "key_b", Provider = "stability" }));
    }

    [Fact]
    public async Task ListRunsAsync_FilterValueWithQuote_IsTreatedAsData()
    {
        await SeedRunsAsync();

        Assert.Empty(await ListIdsAsync(new RunQuery { Route = "image' OR '1'='1" }));
    }

    [Fact]
    public async Task ConcurrentWrites_FiftyRunsWithThreeAttempts_AllPresent()
    {
        var database = await _files.OpenAsync();

        await WriteManyRunsAsync([_ledger, new SqliteLedger(database)], 50);

        await AssertManyRunsAsync(50);
    }

    [Fact]
    public async Task ConcurrentWrites_SingleLedger_AllPresent()
    {
        await WriteManyRunsAsync([_ledger], 50);

        await AssertManyRunsAsync(50);
    }

    private static async Task WriteManyRunsAsync(SqliteLedger[] ledgers, int count)
    {
        await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(
            async () =>
            {
                var ledger = ledgers[i % ledgers.Length];
                var id = $"run_{i:D3}";
                var run = MinimalRun(id, T0.AddSeconds(i));
                await ledger.RunStartedAsync(run, Ct);
                for (var seq = 1; seq <= 3; seq++)
                {
                    var started = StartedAttempt(id, seq);
                    await ledger.AttemptAsync(started, Ct);
                    await ledger.AttemptAsync(
                        started with { Status = seq < 3 ? AttemptStatus.Failed : AttemptStatus.Success, ErrorClass = seq < 3 ? ErrorClass.Timeout : null, DurationMs = seq },
                        Ct);
                }

                await ledger.RunFinishedAsync(run with { Outcome = RunOutcome.Degraded, AttemptCount = 3, ServedTier = 2 }, Ct);
            },
            Ct)));
    }

    private async Task AssertManyRunsAsync(int count)
    {
        var runs = await _ledger.ListRunsAsync(new RunQuery { Limit = count * 2 }, Ct);
        Assert.Equal(count, runs.Count);
        Assert.All(runs, run => Assert.Equal(RunOutcome.Degraded, run.Outcome));
        Assert.All(runs, run => Assert.Equal(3, run.AttemptCount));
        foreach (var run in runs)
        {
            var attempts = await _ledger.GetAttemptsAsync(run.Id, Ct);
            Assert.Equal([1, 2, 3], attempts.Select(a => a.Seq));
            Assert.Equal([AttemptStatus.Failed, AttemptStatus.Failed, AttemptStatus.Success], attempts.Select(a => a.Status));
        }
    }

    // r1..r4 one minute apart: keys a, b, a, b; routes image, text, image, speech;
    // outcomes success, failed, degraded, running; served by openai, none, stability, none.
    private async Task SeedRunsAsync()
    {
        await _ledger.RunStartedAsync(MinimalRun("r1", T0) with { KeyId = "key_a", Route = "image", Outcome = RunOutcome.Success, ServedProvider = "openai" }, Ct);
        await _ledger.RunStartedAsync(MinimalRun("r2", T0.AddMinutes(1)) with { KeyId = "key_b", Route = "text", Outcome = RunOutcome.Failed }, Ct);
        await _ledger.RunStartedAsync(MinimalRun("r3", T0.AddMinutes(2)) with { KeyId = "key_a", Route = "image", Outcome = RunOutcome.Degraded, ServedProvider = "stability" }, Ct);
        await _ledger.RunStartedAsync(MinimalRun("r4", T0.AddMinutes(3)) with { KeyId = "key_b", Route = "speech" }, Ct);
    }

    private async Task<string[]> ListIdsAsync(RunQuery query) =>
        [.. (await _ledger.ListRunsAsync(query, Ct)).Select(r => r.Id)];

    private static RunRecord MinimalRun(string id, DateTimeOffset startedAt) => new()
    {
        Id = id,
        StartedAt = startedAt,
        Route = "image",
        Modality = Modality.Image,
        RequestedModel = "image",
        Endpoint = "images.generations",
    };

    private static RunRecord FullRun(string id) => new()
    {
        Id = id,
        StartedAt = T0.AddTicks(1_234_567),
        KeyId = "key_1",
        Route = "speech",
        Preset = "narrator",
        Modality = Modality.Speech,
        RequestedModel = "narrator",
        Endpoint = "audio.speech",
        Outcome = RunOutcome.Degraded,
        ServedProvider = "espeak",
        ServedProviderType = "espeak",
        ServedModel = "en-us",
        ServedTier = 2,
        DurationMs = 1234.5678,
        ErrorClass = ErrorClass.RateLimited,
        ErrorMessage = "openai/tts-1: rate_limited; espeak: ok",
        HttpStatus = 200,
        PromptHash = new string('a', 64),
        PromptPreview = "Hello ‘world’ — ünïcode 🚂",
        RequestSummary = """{"voice":"alloy","format":"mp3"}""",
        ResponseSummary = """{"bytes":12345}""",
        AttemptCount = 3,
    };

    private static AttemptRecord StartedAttempt(string runId, int seq) => new()
    {
        RunId = runId,
        Seq = seq,
        Tier = 0,
        Provider = "openai",
        ProviderType = "openai",
        Status = AttemptStatus.Started,
        StartedAt = T0.AddSeconds(seq),
    };

    private static AttemptRecord FullAttempt(string runId, int seq) => new()
    {
        RunId = runId,
        Seq = seq,
        Tier = 1,
        Retry = 2,
        Provider = "cf",
        ProviderType = "cloudflare-workers-ai",
        Model = "@cf/black-forest-labs/flux-1-schnell",
        Status = AttemptStatus.Failed,
        ErrorClass = ErrorClass.ContentRejected,
        SkipReason = SkipReason.NotCapable,
        HttpStatus = 400,
        ErrorCode = "content_policy_violation",
        Message = "rejected by policy",
        Step = "receive",
        StartedAt = T0.AddTicks(7_654_321),
        DurationMs = 99.125,
        Bytes = 5_000_000_000,
    };
}
