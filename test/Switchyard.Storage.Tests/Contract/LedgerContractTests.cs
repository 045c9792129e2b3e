using System.Data.Common;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Tests.Common.Logging;

namespace Switchyard.Storage.Tests.Contract;

/// <summary>What every <see cref="ILedger"/> backend must do; each backend runs it through a subclass.</summary>
public abstract class LedgerContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = StorageTestTime.Start;

    private ILedger _ledger = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A ledger over a fresh, empty store for this test.</summary>
    protected abstract ValueTask<ILedger> CreateLedgerAsync();

    /// <summary>Another ledger over the same store, as a second process or node would have.</summary>
    protected abstract ValueTask<ILedger> OpenSecondLedgerAsync();

    /// <summary>Releases what the factories opened.</summary>
    protected abstract ValueTask DisposeStoreAsync();

    public async ValueTask InitializeAsync() => _ledger = await CreateLedgerAsync();

    public async ValueTask DisposeAsync()
    {
        await DisposeStoreAsync();
        GC.SuppressFinalize(this);
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
    public async Task GetRunAsync_TimeWithOffset_KeepsInstantAsUtc()
    {
        var startedAt = new DateTimeOffset(2026, 3, 4, 7, 6, 7, TimeSpan.FromHours(2)).AddTicks(10);
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

        await Assert.ThrowsAnyAsync<DbException>(async () => await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct));
    }

    [Fact]
    public async Task RunFinishedAsync_AfterStart_ReplacesEveryField()
    {
        var finished = FullRun("run_1");
        await _ledger.RunStartedAsync(StartOf(finished), Ct);

        await _ledger.RunFinishedAsync(finished, Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
    }

    [Fact]
    public async Task RunFinishedAsync_OtherStartTimeKeyOrJob_KeepsTheStartedOnes()
    {
        var started = MinimalRun("run_1", T0);
        await _ledger.RunStartedAsync(started, Ct);
        var finished = FullRun("run_1");

        await _ledger.RunFinishedAsync(finished, Ct);

        Assert.Equal(finished with { StartedAt = T0, KeyId = null, JobId = null, ItemId = null }, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Single(await _ledger.ListRunsAsync(new RunQuery { Until = T0.AddMilliseconds(100) }, Ct));
        Assert.Empty(await _ledger.ListRunsAsync(new RunQuery { KeyId = "key_1" }, Ct));
    }

    [Fact]
    public async Task RunFinishedAsync_FinishedBackToNulls_ClearsFields()
    {
        var started = FullRun("run_1");
        await _ledger.RunStartedAsync(started, Ct);
        var finished = MinimalRun("run_1", started.StartedAt) with { KeyId = started.KeyId, JobId = started.JobId, ItemId = started.ItemId, Outcome = RunOutcome.Failed };

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
        var first = FullAttempt("run_1", 1);
        await _ledger.AttemptAsync(first, Ct);
        var replacement = StartedAttempt("run_1", 1) with { Tier = first.Tier, Retry = first.Retry, Provider = first.Provider, ProviderType = first.ProviderType, Model = first.Model, StartedAt = first.StartedAt };

        await _ledger.AttemptAsync(replacement, Ct);

        Assert.Equal([replacement], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task AttemptAsync_SameSeqElsewhere_KeepsWhereAndWhenItWasFirstMade()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        var first = StartedAttempt("run_1", 1);
        await _ledger.AttemptAsync(first, Ct);
        var final = FullAttempt("run_1", 1);

        await _ledger.AttemptAsync(final, Ct);

        Assert.Equal([final with { Tier = 0, Retry = 0, Provider = "openai", ProviderType = "openai", Model = null, StartedAt = first.StartedAt }], await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Single(await _ledger.ListRunsAsync(new RunQuery { Provider = "openai" }, Ct));
        Assert.Empty(await _ledger.ListRunsAsync(new RunQuery { Provider = "cf" }, Ct));
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
        await Assert.ThrowsAnyAsync<DbException>(async () => await _ledger.AttemptAsync(StartedAttempt("run_missing", 1), Ct));
    }

    [Fact]
    public async Task ListRunsAsync_NoFilter_ReturnsAllNewestFirst()
    {
        await SeedRunsAsync();

        Assert.Equal(["r4", "r3", "r2", "r1"], await ListIdsAsync(new RunQuery()));
    }

    [Fact]
    public async Task ListRunsAsync_Empty_ReturnsEmpty()
    {
        Assert.Empty(await ListIdsAsync(new RunQuery()));
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
    public async Task ListRunsAsync_Until_ExcludesRunsAtOrAfter()
    {
        await SeedRunsAsync();

        Assert.Equal(["r2", "r1"], await ListIdsAsync(new RunQuery { Until = T0.AddMinutes(2) }));
    }

    [Fact]
    public async Task ListRunsAsync_SinceAndUntil_ReturnsHalfOpenWindow()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3", "r2"], await ListIdsAsync(new RunQuery { Since = T0.AddMinutes(1), Until = T0.AddMinutes(3) }));
        Assert.Equal(["r2"], await ListIdsAsync(new RunQuery { Since = T0.AddMinutes(1), Until = T0.AddMinutes(2).ToOffset(TimeSpan.FromHours(9)) }));
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
    public async Task ListRunsAsync_Preset_ReturnsOnlyThatPreset()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { Preset = "express_enhance" }));
        Assert.Empty(await ListIdsAsync(new RunQuery { Preset = "narrator" }));
    }

    [Fact]
    public async Task ListRunsAsync_Provider_ReturnsRunsThatAttemptedItNotOnlyServedByIt()
    {
        await SeedRunsAsync();

        Assert.Equal(["r4", "r3", "r1"], await ListIdsAsync(new RunQuery { Provider = "openai" }));
        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { Provider = "stability" }));
    }

    [Fact]
    public async Task ListRunsAsync_Provider_MatchesSkippedAttempts()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { Provider = "cf" }));
    }

    [Fact]
    public async Task ListRunsAsync_Model_ReturnsRunsWithAnAttemptOfIt()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3", "r1"], await ListIdsAsync(new RunQuery { Model = "gpt-image-1" }));
        Assert.Equal(["r4"], await ListIdsAsync(new RunQuery { Model = "tts-1" }));
        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { Model = "@cf/flux-1-schnell" }));
        Assert.Empty(await ListIdsAsync(new RunQuery { Model = "dall-e-3" }));
    }

    [Fact]
    public async Task ListRunsAsync_ErrorClass_MatchesFailedAttempts()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.ContentRejected }));
        Assert.Equal(["r4"], await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.RateLimited }));
        Assert.Empty(await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.Timeout }));
    }

    [Fact]
    public async Task ListRunsAsync_ErrorClass_MatchesRunThatFailedBeforeAnyAttempt()
    {
        await SeedRunsAsync();

        Assert.Equal(["r2"], await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.InvalidRequest }));
    }

    [Fact]
    public async Task ListRunsAsync_SkipReason_MatchesSkippedAttempts()
    {
        await SeedRunsAsync();

        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { SkipReason = SkipReason.CircuitOpen }));
        Assert.Empty(await ListIdsAsync(new RunQuery { SkipReason = SkipReason.NotCapable }));
    }

    [Fact]
    public async Task ListRunsAsync_SeveralMatchingAttempts_ReturnsRunOnce()
    {
        await SeedRunsAsync();

        Assert.Equal(["r4"], await ListIdsAsync(new RunQuery { Provider = "openai", Model = "tts-1", ErrorClass = ErrorClass.RateLimited }));
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
        Assert.Equal(["r3"], await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.ContentRejected, SkipReason = SkipReason.CircuitOpen, Provider = "stability", Preset = "express_enhance", Until = T0.AddMinutes(3) }));
        Assert.Empty(await ListIdsAsync(new RunQuery { KeyId = "key_b", Provider = "stability" }));
        Assert.Empty(await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.ContentRejected, Until = T0.AddMinutes(2) }));
    }

    [Fact]
    public async Task ListRunsAsync_FilterValueWithQuote_IsTreatedAsData()
    {
        await SeedRunsAsync();

        Assert.Empty(await ListIdsAsync(new RunQuery { Route = "image' OR '1'='1" }));
        Assert.Empty(await ListIdsAsync(new RunQuery { Provider = "x') OR 1=1 --" }));
        Assert.Empty(await ListIdsAsync(new RunQuery { After = "r0' OR '1'='1" }));
    }

    [Fact]
    public async Task ListRunsAsync_AfterCursor_ThreePagesOfTwentyFive_NoDuplicatesNoGaps()
    {
        // Three runs share each start time, and ids do not follow start order, so the cursor must use both.
        var runs = Enumerable.Range(0, 25).Select(i => MinimalRun($"run_{i * 7 % 25:D3}", T0.AddSeconds(i / 3))).ToList();
        foreach (var run in runs.OrderBy(_ => Random.Shared.Next()))
        {
            await _ledger.RunStartedAsync(run, Ct);
        }

        var expected = runs.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal).Select(r => r.Id).ToList();

        var page1 = await ListIdsAsync(new RunQuery { Limit = 10 });
        var page2 = await ListIdsAsync(new RunQuery { Limit = 10, After = page1[^1] });
        var page3 = await ListIdsAsync(new RunQuery { Limit = 10, After = page2[^1] });
        var page4 = await ListIdsAsync(new RunQuery { Limit = 10, After = page3[^1] });

        Assert.Equal(10, page1.Length);
        Assert.Equal(10, page2.Length);
        Assert.Equal(5, page3.Length);
        Assert.Empty(page4);
        Assert.Equal(expected, [.. page1, .. page2, .. page3]);
    }

    [Fact]
    public async Task ListRunsAsync_AfterCursorWithFilter_PagesOnlyMatchingRuns()
    {
        for (var i = 0; i < 12; i++)
        {
            await _ledger.RunStartedAsync(MinimalRun($"run_{i:D3}", T0.AddSeconds(i)) with { KeyId = i % 2 == 0 ? "key_a" : "key_b" }, Ct);
        }

        var page1 = await ListIdsAsync(new RunQuery { KeyId = "key_a", Limit = 4 });
        var page2 = await ListIdsAsync(new RunQuery { KeyId = "key_a", Limit = 4, After = page1[^1] });

        Assert.Equal(["run_010", "run_008", "run_006", "run_004"], page1);
        Assert.Equal(["run_002", "run_000"], page2);
    }

    [Fact]
    public async Task ListRunsAsync_AfterRunThatNoLongerExists_ContinuesById()
    {
        for (var i = 0; i < 5; i++)
        {
            await _ledger.RunStartedAsync(MinimalRun($"run_{i:D3}", T0.AddSeconds(i)), Ct);
        }

        Assert.Equal(["run_002", "run_001", "run_000"], await ListIdsAsync(new RunQuery { After = "run_0025" }));
    }

    [Fact]
    public async Task ListRunsAsync_AfterOldestRun_ReturnsEmpty()
    {
        await SeedRunsAsync();

        Assert.Empty(await ListIdsAsync(new RunQuery { After = "r1" }));
    }

    [Fact]
    public async Task GetRunFactsAsync_Window_IncludesSinceAndExcludesUntil()
    {
        await _ledger.RunStartedAsync(MinimalRun("before", T0.AddMinutes(1).AddMilliseconds(-1)), Ct);
        await _ledger.RunStartedAsync(MinimalRun("at_since", T0.AddMinutes(1)), Ct);
        await _ledger.RunStartedAsync(MinimalRun("inside", T0.AddMinutes(2)), Ct);
        await _ledger.RunStartedAsync(MinimalRun("just_before_until", T0.AddMinutes(3).AddMilliseconds(-1)), Ct);
        await _ledger.RunStartedAsync(MinimalRun("at_until", T0.AddMinutes(3)), Ct);

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0.AddMinutes(1), Until = T0.AddMinutes(3) }, Ct);

        Assert.Equal(["at_since", "inside", "just_before_until"], facts.Select(f => f.RunId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetRunFactsAsync_Run_CarriesItsStartTime()
    {
        await _ledger.RunStartedAsync(MinimalRun("early", T0.AddSeconds(5)), Ct);
        await _ledger.RunStartedAsync(MinimalRun("late", T0.AddMinutes(7).AddMilliseconds(250)), Ct);

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);

        Assert.Equal(T0.AddSeconds(5), Assert.Single(facts, f => f.RunId == "early").StartedAt);
        Assert.Equal(T0.AddMinutes(7).AddMilliseconds(250), Assert.Single(facts, f => f.RunId == "late").StartedAt);
    }

    [Fact]
    public async Task GetRunFactsAsync_NoUntil_IncludesEverythingSince()
    {
        await SeedRunsAsync();

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0.AddMinutes(1) }, Ct);

        Assert.Equal(["r2", "r3", "r4"], facts.Select(f => f.RunId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetRunFactsAsync_KeyId_ReturnsOnlyThatKey()
    {
        await SeedRunsAsync();

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0, KeyId = "key_b" }, Ct);

        Assert.Equal(["r2", "r4"], facts.Select(f => f.RunId).Order(StringComparer.Ordinal));
        Assert.All(facts, f => Assert.Equal("key_b", f.KeyId));
    }

    [Fact]
    public async Task GetRunFactsAsync_Run_CarriesItsFieldsAndAttemptsInSeqOrder()
    {
        await SeedRunsAsync();

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);

        var r3 = Assert.Single(facts, f => f.RunId == "r3");
        Assert.Equal("key_a", r3.KeyId);
        Assert.Equal("image", r3.Route);
        Assert.Equal("express_enhance", r3.Preset);
        Assert.Equal(RunOutcome.Degraded, r3.Outcome);
        Assert.Equal("stability", r3.ServedProvider);
        Assert.Equal("sd3", r3.ServedModel);
        Assert.Equal(2, r3.ServedTier);
        Assert.Equal(ErrorClass.ContentRejected, r3.ErrorClass);
        Assert.Equal(2500.5, r3.DurationMs);
        Assert.Equal(
            [
                new AttemptFacts("openai", "gpt-image-1", AttemptStatus.Failed, ErrorClass.ContentRejected, null, 100.25),
                new AttemptFacts("cf", "@cf/flux-1-schnell", AttemptStatus.Skipped, null, SkipReason.CircuitOpen, null),
                new AttemptFacts("stability", "sd3", AttemptStatus.Success, null, null, 2300),
            ],
            r3.Attempts);
    }

    [Fact]
    public async Task GetRunFactsAsync_CacheHitAndCost_AreCarried()
    {
        await _ledger.RunStartedAsync(MinimalRun("cached", T0) with { CacheHit = true, CostUsd = 0m }, Ct);
        await _ledger.RunStartedAsync(MinimalRun("paid", T0.AddSeconds(1)) with { CostUsd = 0.0425m }, Ct);
        await _ledger.RunStartedAsync(MinimalRun("unpriced", T0.AddSeconds(2)), Ct);

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);

        Assert.Equal([(true, (decimal?)0m), (false, 0.0425m), (false, null)], facts.Select(f => (f.CacheHit, f.CostUsd)));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1.5")]
    [InlineData("0.000000000000000000000000001")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("0.1000")]
    public async Task GetRunAsync_Cost_RoundTripsExactly(string text)
    {
        var cost = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0) with { CostUsd = cost }, Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_1", 1) with { CostUsd = cost }, Ct);

        Assert.Equal(cost, (await _ledger.GetRunAsync("run_1", Ct))!.CostUsd);
        Assert.Equal(cost, Assert.Single(await _ledger.GetAttemptsAsync("run_1", Ct)).CostUsd);
    }

    [Fact]
    public async Task WriteBatchAsync_StartAttemptsAndFinish_StoredAsAfterSingleWrites()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var finished = FullRun("run_1") with { StartedAt = T0 };
        var started = MinimalRun("run_1", T0) with { KeyId = finished.KeyId, JobId = finished.JobId, ItemId = finished.ItemId };
        var attempt = StartedAttempt("run_1", 1);

        await writer.WriteBatchAsync(
            [
                new LedgerWrite.RunStarted(started),
                new LedgerWrite.Attempt(attempt),
                new LedgerWrite.Attempt(FullAttempt("run_1", 2)),
                new LedgerWrite.Attempt(attempt with { Status = AttemptStatus.Success, CostUsd = 0.01m }),
                new LedgerWrite.RunFinished(finished),
                new LedgerWrite.RunStarted(MinimalRun("run_2", T0.AddSeconds(1))),
            ],
            Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Equal([attempt with { Status = AttemptStatus.Success, CostUsd = 0.01m }, FullAttempt("run_1", 2)], await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.NotNull(await _ledger.GetRunAsync("run_2", Ct));
    }

    [Fact]
    public async Task WriteBatchAsync_OneWriteFails_KeepsNothingOfTheBatch()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        await _ledger.RunStartedAsync(MinimalRun("existing", T0), Ct);

        await Assert.ThrowsAnyAsync<DbException>(async () => await writer.WriteBatchAsync(
            [
                new LedgerWrite.RunStarted(MinimalRun("run_1", T0)),
                new LedgerWrite.Attempt(StartedAttempt("run_1", 1)),
                new LedgerWrite.Attempt(StartedAttempt("unknown_run", 1)),
            ],
            Ct));

        Assert.Null(await _ledger.GetRunAsync("run_1", Ct));
        Assert.Empty(await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Equal(["existing"], await ListIdsAsync(new RunQuery()));
    }

    [Fact]
    public async Task IsRejection_WriteTheStoreRefuses_IsTrue()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);

        var unknownRun = await Assert.ThrowsAnyAsync<Exception>(async () => await writer.WriteBatchAsync([new LedgerWrite.Attempt(StartedAttempt("unknown_run", 1))], Ct));

        Assert.True(writer.IsRejection(unknownRun), unknownRun.ToString());
        Assert.True(writer.IsRejection(new FormatException("The decimal does not fit the stored form.")));
        Assert.True(writer.IsRejection(new ArgumentOutOfRangeException("value")));
    }

    [Fact]
    public void IsRejection_StoreThatCannotWrite_IsFalse()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);

        Assert.False(writer.IsRejection(new IOException("No space left on device")));
        Assert.False(writer.IsRejection(new TimeoutException("The operation has timed out.")));
        Assert.False(writer.IsRejection(new OperationCanceledException()));
        Assert.False(writer.IsRejection(new InvalidOperationException("The connection was closed.")));
    }

    [Fact]
    public async Task BufferedLedger_OverTheStore_SetsAsideOnlyTheRefusedWriteAndStoresTheRest()
    {
        var logger = new ListLogger<BufferedLedger>();
        // A batch window longer than the test: the writer takes the four writes as one batch when the read below ends
        // it, so the refused attempt fails the whole batch until its writes are tried one by one.
        await using var buffered = new BufferedLedger(
            _ledger,
            new BufferedLedgerOptions { BatchWindow = TimeSpan.FromHours(1), RetryBaseDelay = TimeSpan.Zero, RetryMaxDelay = TimeSpan.Zero, RejectAfter = 2 },
            TimeProvider.System,
            logger);
        var finished = FullRun("run_1");
        await buffered.RunStartedAsync(StartOf(finished), Ct);
        await buffered.AttemptAsync(StartedAttempt("unknown_run", 1), Ct);
        await buffered.AttemptAsync(FullAttempt("run_1", 1), Ct);
        await buffered.RunFinishedAsync(finished, Ct);

        Assert.Equal(finished, await buffered.GetRunAsync("run_1", Ct));
        Assert.Equal([FullAttempt("run_1", 1)], await buffered.GetAttemptsAsync("run_1", Ct));
        Assert.Empty(await buffered.GetAttemptsAsync("unknown_run", Ct));
        Assert.Equal(1, buffered.Rejected);
        var rejected = Assert.Single(logger.Entries, e => e.EventName == "LedgerWriteRejected");
        Assert.Contains("Attempt of run unknown_run (attempt 1)", rejected.Message, StringComparison.Ordinal);
        Assert.Single(logger.Entries, e => e.EventName == "LedgerBatchRejected");
    }

    [Fact]
    public async Task WriteBatchAsync_AfterAFailedBatch_NextBatchesAreStored()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        await Assert.ThrowsAnyAsync<DbException>(async () => await writer.WriteBatchAsync([new LedgerWrite.Attempt(StartedAttempt("unknown_run", 1))], Ct));
        var finished = FullRun("run_1");

        await writer.WriteBatchAsync([new LedgerWrite.RunStarted(StartOf(finished)), new LedgerWrite.Attempt(FullAttempt("run_1", 1))], Ct);
        await writer.WriteBatchAsync([new LedgerWrite.RunFinished(finished)], Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Equal([FullAttempt("run_1", 1)], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    // A batch whose first try may have committed is tried again: as written by BufferedLedger for a run that spanned
    // two batches, and for one that did not (its finish and its only, successful attempt).
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task WriteBatchAsync_SameBatchTwice_SecondChangesNothing(bool withStart)
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var finished = FullRun("run_1");
        var attempt = withStart ? FullAttempt("run_1", 1) : SucceededAttempt("run_1", 1);
        LedgerWrite[] batch = withStart
            ? [new LedgerWrite.RunStarted(StartOf(finished)), new LedgerWrite.Attempt(attempt), new LedgerWrite.RunFinished(finished)]
            : [new LedgerWrite.RunFinished(finished), new LedgerWrite.Attempt(attempt)];

        await writer.WriteBatchAsync(batch, Ct);
        await writer.WriteBatchAsync(batch, Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Equal([attempt], await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task WriteBatchAsync_StartOfStoredFinishedRun_DoesNotClearIt()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var finished = FullRun("run_1");
        await _ledger.RunFinishedAsync(finished, Ct);

        await writer.WriteBatchAsync([new LedgerWrite.RunStarted(MinimalRun("run_1", T0))], Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
    }

    // A request that starts and ends within one batch: its finish and its one successful attempt (a store may keep them together).
    [Fact]
    public async Task WriteBatchAsync_FinishAndItsOnlySuccessfulAttempt_ReadBackEverywhere()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var finished = FullRun("run_1") with { StartedAt = T0 };
        var attempt = SucceededAttempt("run_1", 1);

        await writer.WriteBatchAsync([new LedgerWrite.RunFinished(finished), new LedgerWrite.Attempt(attempt)], Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Equal([attempt], await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Equal(["run_1"], await ListIdsAsync(new RunQuery { Provider = attempt.Provider }));
        Assert.Equal(["run_1"], await ListIdsAsync(new RunQuery { Model = attempt.Model }));
        Assert.Empty(await ListIdsAsync(new RunQuery { Provider = "openai" }));
        Assert.Empty(await ListIdsAsync(new RunQuery { SkipReason = SkipReason.NotCapable }));
        var facts = Assert.Single(await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct));
        Assert.Equal([new AttemptFacts(attempt.Provider, attempt.Model, AttemptStatus.Success, null, null, attempt.DurationMs)], facts.Attempts);
    }

    [Fact]
    public async Task WriteBatchAsync_FinishAndOnlyAttemptOfRunStartedInEarlierBatch_ReplacesTheStartedAttempt()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var finished = FullRun("run_1");
        var attempt = SucceededAttempt("run_1", 1);
        await writer.WriteBatchAsync([new LedgerWrite.RunStarted(StartOf(finished)), new LedgerWrite.Attempt(attempt with { Status = AttemptStatus.Started, Message = null })], Ct);

        await writer.WriteBatchAsync([new LedgerWrite.RunFinished(finished), new LedgerWrite.Attempt(attempt)], Ct);

        Assert.Equal(finished, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Equal([attempt], await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Single(Assert.Single(await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct)).Attempts);
    }

    [Fact]
    public async Task AttemptAsync_AfterBatchOfFinishAndOnlyAttempt_ReplacesItAndAddsInSeqOrder()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var attempt = SucceededAttempt("run_1", 2);
        await writer.WriteBatchAsync([new LedgerWrite.RunFinished(FullRun("run_1") with { StartedAt = T0 }), new LedgerWrite.Attempt(attempt)], Ct);

        await _ledger.AttemptAsync(attempt with { Message = "corrected", DurationMs = 5 }, Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_1", 1), Ct);
        await _ledger.AttemptAsync(StartedAttempt("run_1", 3), Ct);

        Assert.Equal([StartedAttempt("run_1", 1), attempt with { Message = "corrected", DurationMs = 5 }, StartedAttempt("run_1", 3)], await _ledger.GetAttemptsAsync("run_1", Ct));
        var facts = Assert.Single(await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct));
        Assert.Equal([null, 5, null], facts.Attempts.Select(a => a.DurationMs));
    }

    [Fact]
    public async Task WriteBatchAsync_FinishAndItsOnlyAttemptFailed_FoundByItsErrorClass()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var failed = SucceededAttempt("run_1", 1) with { Status = AttemptStatus.Failed, ErrorClass = ErrorClass.Timeout };
        var skipped = SucceededAttempt("run_2", 1) with { Status = AttemptStatus.Skipped, SkipReason = SkipReason.CircuitOpen };

        await writer.WriteBatchAsync(
            [
                new LedgerWrite.RunFinished(MinimalRun("run_1", T0) with { Outcome = RunOutcome.Failed }),
                new LedgerWrite.Attempt(failed),
                new LedgerWrite.RunFinished(MinimalRun("run_2", T0.AddSeconds(1)) with { Outcome = RunOutcome.Failed }),
                new LedgerWrite.Attempt(skipped),
            ],
            Ct);

        Assert.Equal(["run_1"], await ListIdsAsync(new RunQuery { ErrorClass = ErrorClass.Timeout }));
        Assert.Equal(["run_2"], await ListIdsAsync(new RunQuery { SkipReason = SkipReason.CircuitOpen }));
        Assert.Equal([failed], await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Equal([skipped], await _ledger.GetAttemptsAsync("run_2", Ct));
    }

    [Fact]
    public async Task DeleteRunsBeforeAsync_RunWithItsOnlyAttemptFromABatch_LeavesNoAttempt()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        await writer.WriteBatchAsync([new LedgerWrite.RunFinished(MinimalRun("run_1", T0)), new LedgerWrite.Attempt(SucceededAttempt("run_1", 1))], Ct);

        Assert.Equal(1, await _ledger.DeleteRunsBeforeAsync(T0.AddSeconds(1), Ct));

        Assert.Null(await _ledger.GetRunAsync("run_1", Ct));
        Assert.Empty(await _ledger.GetAttemptsAsync("run_1", Ct));
    }

    [Fact]
    public async Task WriteBatchAsync_EmptyTexts_StayEmptyNotNull()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);
        var run = MinimalRun("run_1", T0) with { Route = "", RequestedModel = "", PromptPreview = "", ErrorMessage = "" };
        var attempt = SucceededAttempt("run_1", 1) with { Provider = "", Message = "" };
        var other = MinimalRun("run_2", T0.AddSeconds(1)) with { Route = "" };

        await writer.WriteBatchAsync(
            [
                new LedgerWrite.RunFinished(run),
                new LedgerWrite.Attempt(attempt),
                new LedgerWrite.RunStarted(other),
                new LedgerWrite.Attempt(StartedAttempt("run_2", 1) with { Provider = "", Model = "" }),
            ],
            Ct);

        Assert.Equal(run, await _ledger.GetRunAsync("run_1", Ct));
        Assert.Equal([attempt], await _ledger.GetAttemptsAsync("run_1", Ct));
        Assert.Equal(other, await _ledger.GetRunAsync("run_2", Ct));
        Assert.Equal([StartedAttempt("run_2", 1) with { Provider = "", Model = "" }], await _ledger.GetAttemptsAsync("run_2", Ct));
    }

    [Fact]
    public async Task WriteBatchAsync_Empty_DoesNothing()
    {
        var writer = Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger);

        await writer.WriteBatchAsync([], Ct);

        Assert.Empty(await ListIdsAsync(new RunQuery()));
    }

    [Fact]
    public async Task WriteBatchAsync_ManyBatchesFromTwoLedgers_NothingLost()
    {
        var writers = new[] { Assert.IsAssignableFrom<ILedgerBatchWriter>(_ledger), Assert.IsAssignableFrom<ILedgerBatchWriter>(await OpenSecondLedgerAsync()) };

        await Task.WhenAll(Enumerable.Range(0, 20).Select(b => Task.Run(
            async () =>
            {
                var writes = new List<LedgerWrite>();
                for (var i = 0; i < 10; i++)
                {
                    var id = $"run_{b:D2}_{i:D2}";
                    writes.Add(new LedgerWrite.RunStarted(MinimalRun(id, T0.AddSeconds(i))));
                    writes.Add(new LedgerWrite.Attempt(StartedAttempt(id, 1)));
                }

                await writers[b % 2].WriteBatchAsync(writes, Ct);
            },
            Ct)));

        Assert.Equal(200, (await ListIdsAsync(new RunQuery { Limit = 1000 })).Length);
    }

    [Fact]
    public async Task GetRunFactsAsync_AttemptsWrittenOutOfOrder_ComeInSeqOrder()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        foreach (var seq in new[] { 3, 1, 10, 2 })
        {
            await _ledger.AttemptAsync(StartedAttempt("run_1", seq) with { Provider = $"p{seq}" }, Ct);
        }

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);

        Assert.Equal(["p1", "p2", "p3", "p10"], Assert.Single(facts).Attempts.Select(a => a.Provider));
    }

    [Fact]
    public async Task GetRunFactsAsync_RunningRunWithoutAttempts_IsIncludedWithNoOutcome()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);

        var run = Assert.Single(facts);
        Assert.Null(run.Outcome);
        Assert.Empty(run.Attempts);
    }

    [Fact]
    public async Task GetRunFactsAsync_ManyRuns_EachGetsOnlyItsOwnAttempts()
    {
        for (var i = 0; i < 20; i++)
        {
            var id = $"run_{i:D3}";
            await _ledger.RunStartedAsync(MinimalRun(id, T0.AddSeconds(i)), Ct);
            for (var seq = 1; seq <= i % 4; seq++)
            {
                await _ledger.AttemptAsync(StartedAttempt(id, seq) with { Provider = id }, Ct);
            }
        }

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);

        Assert.Equal(20, facts.Count);
        Assert.All(facts, f =>
        {
            Assert.Equal(int.Parse(f.RunId[4..], System.Globalization.CultureInfo.InvariantCulture) % 4, f.Attempts.Count);
            Assert.All(f.Attempts, a => Assert.Equal(f.RunId, a.Provider));
        });
    }

    [Fact]
    public async Task DeleteRunsBeforeAsync_OlderRuns_DeletesThemAndTheirAttemptsOnly()
    {
        foreach (var (id, at) in new[] { ("old_2", T0.AddDays(-2)), ("old_1", T0.AddTicks(-10)), ("at_cutoff", T0), ("new", T0.AddHours(1)) })
        {
            await _ledger.RunStartedAsync(MinimalRun(id, at), Ct);
            await _ledger.AttemptAsync(StartedAttempt(id, 1), Ct);
            await _ledger.AttemptAsync(StartedAttempt(id, 2), Ct);
        }

        var deleted = await _ledger.DeleteRunsBeforeAsync(T0, Ct);

        Assert.Equal(2, deleted);
        Assert.Equal(["new", "at_cutoff"], await ListIdsAsync(new RunQuery()));
        Assert.Null(await _ledger.GetRunAsync("old_1", Ct));
        Assert.Empty(await _ledger.GetAttemptsAsync("old_1", Ct));
        Assert.Empty(await _ledger.GetAttemptsAsync("old_2", Ct));
        Assert.Equal(2, (await _ledger.GetAttemptsAsync("at_cutoff", Ct)).Count);
        Assert.Equal(2, (await _ledger.GetAttemptsAsync("new", Ct)).Count);
    }

    [Fact]
    public async Task DeleteRunsBeforeAsync_NothingOlder_ReturnsZero()
    {
        await SeedRunsAsync();

        Assert.Equal(0, await _ledger.DeleteRunsBeforeAsync(T0, Ct));
        Assert.Equal(4, (await ListIdsAsync(new RunQuery())).Length);
    }

    [Fact]
    public async Task DeleteRunsBeforeAsync_MoreRunsThanOneBatch_DeletesAll()
    {
        // More than the backends' delete batch of 1000 runs.
        const int count = 1_050;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(part => Task.Run(
            async () =>
            {
                for (var i = part; i < count; i += 4)
                {
                    await _ledger.RunStartedAsync(MinimalRun($"run_{i:D4}", T0.AddDays(-1).AddSeconds(i)), Ct);
                }
            },
            Ct)));
        await _ledger.RunStartedAsync(MinimalRun("kept", T0), Ct);

        var deleted = await _ledger.DeleteRunsBeforeAsync(T0, Ct);

        Assert.Equal(count, deleted);
        Assert.Equal(["kept"], await ListIdsAsync(new RunQuery { Limit = 2 * count }));
    }

    [Fact]
    public async Task ConcurrentWrites_TwoLedgersOnOneStore_NothingLost()
    {
        var second = await OpenSecondLedgerAsync();

        await WriteManyRunsAsync([_ledger, second], 50);

        await AssertManyRunsAsync(50);
    }

    [Fact]
    public async Task ConcurrentWrites_SingleLedger_NothingLost()
    {
        await WriteManyRunsAsync([_ledger], 50);

        await AssertManyRunsAsync(50);
    }

    [Fact]
    public async Task ConcurrentWrites_AttemptsOfOneRunInParallel_NothingLost()
    {
        await _ledger.RunStartedAsync(MinimalRun("run_1", T0), Ct);
        var second = await OpenSecondLedgerAsync();
        var ledgers = new[] { _ledger, second };

        await Task.WhenAll(Enumerable.Range(1, 40).Select(seq => Task.Run(
            async () => await ledgers[seq % 2].AttemptAsync(StartedAttempt("run_1", seq), Ct),
            Ct)));

        Assert.Equal(Enumerable.Range(1, 40), (await _ledger.GetAttemptsAsync("run_1", Ct)).Select(a => a.Seq));
    }

    [Fact]
    public async Task ConcurrentReadsAndWrites_ListWhileWriting_SeesOnlyWholeRuns()
    {
        var writing = WriteManyRunsAsync([_ledger], 30);
        while (!writing.IsCompleted)
        {
            var runs = await _ledger.ListRunsAsync(new RunQuery { Limit = 100 }, Ct);
            Assert.All(runs, run => Assert.Equal("images.generations", run.Endpoint));
            await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);
        }

        await writing;
        await AssertManyRunsAsync(30);
    }

    protected static RunRecord MinimalRun(string id, DateTimeOffset startedAt) => new()
    {
        Id = id,
        StartedAt = startedAt,
        Route = "image",
        Modality = Modality.Image,
        RequestedModel = "image",
        Endpoint = "images.generations",
    };

    // The start a finished run had: what a finish cannot change (start time, key, job, item) is the finish's.
    protected static RunRecord StartOf(RunRecord finished) =>
        MinimalRun(finished.Id, finished.StartedAt) with { KeyId = finished.KeyId, JobId = finished.JobId, ItemId = finished.ItemId };

    protected static RunRecord FullRun(string id) => new()
    {
        Id = id,
        StartedAt = T0.AddTicks(1_234_560),
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
        CacheHit = true,
        TraceId = "4bf92f3577b34da6a3ce929d0e0e4736",
        JobId = "job_01J9Z",
        ItemId = "picture",
        CostUsd = 0.0400000000000000000000000001m,
    };

    protected static AttemptRecord StartedAttempt(string runId, int seq) => new()
    {
        RunId = runId,
        Seq = seq,
        Tier = 0,
        Provider = "openai",
        ProviderType = "openai",
        Status = AttemptStatus.Started,
        StartedAt = T0.AddSeconds(seq),
    };

    protected static AttemptRecord FullAttempt(string runId, int seq) => new()
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
        StartedAt = T0.AddTicks(7_654_320),
        DurationMs = 99.125,
        Bytes = 5_000_000_000,
        CostUsd = 12345678.123456789012m,
    };

    protected static AttemptRecord SucceededAttempt(string runId, int seq) =>
        FullAttempt(runId, seq) with { Status = AttemptStatus.Success, ErrorClass = null, SkipReason = null, HttpStatus = 200, ErrorCode = null, Message = "served" };

    private static async Task WriteManyRunsAsync(ILedger[] ledgers, int count)
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

        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = T0 }, Ct);
        Assert.Equal(count, facts.Count);
        Assert.All(facts, f => Assert.Equal(3, f.Attempts.Count));
    }

    // r1..r4 one minute apart:
    //   r1 key_a image, success, served by openai: openai/gpt-image-1 success.
    //   r2 key_b text, failed with invalid_request before any attempt.
    //   r3 key_a image, preset express_enhance, degraded, served by stability: openai/gpt-image-1 content_rejected,
    //      cf skipped circuit_open, stability/sd3 success.
    //   r4 key_b speech, running: openai/tts-1 rate_limited twice, then espeak started.
    private async Task SeedRunsAsync()
    {
        await _ledger.RunStartedAsync(MinimalRun("r1", T0) with { KeyId = "key_a", Route = "image", Outcome = RunOutcome.Success, ServedProvider = "openai", ServedModel = "gpt-image-1" }, Ct);
        await _ledger.AttemptAsync(Attempt("r1", 1, "openai", "gpt-image-1", AttemptStatus.Success), Ct);

        await _ledger.RunStartedAsync(MinimalRun("r2", T0.AddMinutes(1)) with { KeyId = "key_b", Route = "text", Outcome = RunOutcome.Failed, ErrorClass = ErrorClass.InvalidRequest }, Ct);

        await _ledger.RunStartedAsync(
            MinimalRun("r3", T0.AddMinutes(2)) with
            {
                KeyId = "key_a",
                Route = "image",
                Preset = "express_enhance",
                Outcome = RunOutcome.Degraded,
                ServedProvider = "stability",
                ServedModel = "sd3",
                ServedTier = 2,
                ErrorClass = ErrorClass.ContentRejected,
                DurationMs = 2500.5,
            },
            Ct);
        await _ledger.AttemptAsync(Attempt("r3", 1, "openai", "gpt-image-1", AttemptStatus.Failed) with { ErrorClass = ErrorClass.ContentRejected, DurationMs = 100.25 }, Ct);
        await _ledger.AttemptAsync(Attempt("r3", 2, "cf", "@cf/flux-1-schnell", AttemptStatus.Skipped) with { SkipReason = SkipReason.CircuitOpen }, Ct);
        await _ledger.AttemptAsync(Attempt("r3", 3, "stability", "sd3", AttemptStatus.Success) with { DurationMs = 2300 }, Ct);

        await _ledger.RunStartedAsync(MinimalRun("r4", T0.AddMinutes(3)) with { KeyId = "key_b", Route = "speech" }, Ct);
        await _ledger.AttemptAsync(Attempt("r4", 1, "openai", "tts-1", AttemptStatus.Failed) with { ErrorClass = ErrorClass.RateLimited }, Ct);
        await _ledger.AttemptAsync(Attempt("r4", 2, "openai", "tts-1", AttemptStatus.Failed) with { ErrorClass = ErrorClass.RateLimited, Retry = 1 }, Ct);
        await _ledger.AttemptAsync(Attempt("r4", 3, "espeak", null, AttemptStatus.Started), Ct);
    }

    private static AttemptRecord Attempt(string runId, int seq, string provider, string? model, AttemptStatus status) =>
        StartedAttempt(runId, seq) with { Provider = provider, ProviderType = provider, Model = model, Status = status };

    private async Task<string[]> ListIdsAsync(RunQuery query) =>
        [.. (await _ledger.ListRunsAsync(query, Ct)).Select(r => r.Id)];
}
