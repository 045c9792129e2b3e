using Microsoft.Extensions.Logging;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Tests.Common.Logging;
using Switchyard.Tests.Common.Time;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Core.Tests.Ledger;

public sealed class BufferedLedgerTests : IAsyncDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly FakeBatchStore _store = new();
    private readonly WatchedTimeProvider _time = new();
    private readonly ListLogger<BufferedLedger> _logger = new();
    private BufferedLedger? _ledger;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask DisposeAsync()
    {
        _store.Release();
        if (_ledger is not null)
        {
            await _ledger.CompleteAsync(CancellationToken.None);
            await _ledger.DisposeAsync();
        }
    }

    [Fact]
    public async Task Writes_ManyFromOneCaller_AreStoredInOrder()
    {
        var ledger = Create(new BufferedLedgerOptions { MaxBatchSize = 7 });
        var expected = new List<LedgerWrite>();
        for (var i = 0; i < 50; i++)
        {
            var run = Run($"run_{i:D2}");
            await ledger.RunStartedAsync(run, Ct);
            await ledger.AttemptAsync(Attempt(run.Id, 1), Ct);
            await ledger.RunFinishedAsync(run with { Outcome = RunOutcome.Success }, Ct);
            expected.AddRange([new LedgerWrite.RunStarted(run), new LedgerWrite.Attempt(Attempt(run.Id, 1)), new LedgerWrite.RunFinished(run with { Outcome = RunOutcome.Success })]);
        }

        await ledger.FlushAsync(Ct);

        Assert.Equal(expected.Select(w => w.RunId).Distinct(), _store.Writes.Select(w => w.RunId).Distinct());
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(RunOutcome.Success, (await _store.GetRunAsync($"run_{i:D2}", Ct))!.Outcome);
            Assert.Single(await _store.GetAttemptsAsync($"run_{i:D2}", Ct));
        }

        Assert.Equal(150, ledger.Written);
        Assert.Equal(0, ledger.Pending);
    }

    [Fact]
    public void Coalesce_RequestWrites_KeepsLastOfEachAtFirstPlace()
    {
        var run = Run("run_a");
        var finished = run with { Outcome = RunOutcome.Success };
        var started = Attempt("run_a", 1);
        var ended = started with { Status = AttemptStatus.Success };
        var other = Run("run_b");
        List<LedgerWrite> batch =
        [
            new LedgerWrite.RunStarted(run),
            new LedgerWrite.Attempt(started),
            new LedgerWrite.RunStarted(other),
            new LedgerWrite.Attempt(ended),
            new LedgerWrite.Attempt(Attempt("run_a", 2)),
            new LedgerWrite.RunFinished(finished),
            new LedgerWrite.RunStarted(run),
        ];

        var coalesced = BufferedLedger.Coalesce(batch);

        Assert.Equal(
            [new LedgerWrite.RunFinished(finished), new LedgerWrite.Attempt(ended), new LedgerWrite.RunStarted(other), new LedgerWrite.Attempt(Attempt("run_a", 2))],
            coalesced);
    }

    [Fact]
    public void Coalesce_FinishWithoutStartThenAttempt_KeepsOrder()
    {
        var finished = Run("run_a") with { Outcome = RunOutcome.Failed };
        List<LedgerWrite> batch = [new LedgerWrite.RunFinished(finished), new LedgerWrite.Attempt(Attempt("run_a", 1)), new LedgerWrite.RunFinished(finished with { HttpStatus = 502 })];

        Assert.Equal([new LedgerWrite.RunFinished(finished with { HttpStatus = 502 }), new LedgerWrite.Attempt(Attempt("run_a", 1))], BufferedLedger.Coalesce(batch));
    }

    [Fact]
    public async Task BatchWindow_WritesOfOneRequest_WaitForTheWindowAndBecomeOneRowEach()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMilliseconds(10) }, batchWindow: true);
        var run = Run("run_a");
        var started = Attempt("run_a", 1);

        await ledger.RunStartedAsync(run, Ct);
        Assert.Equal(TimeSpan.FromMilliseconds(10), await _time.WaitForTimerAsync(d => d == TimeSpan.FromMilliseconds(10)));
        await ledger.AttemptAsync(started, Ct);
        await ledger.AttemptAsync(started with { Status = AttemptStatus.Success }, Ct);
        await ledger.RunFinishedAsync(run with { Outcome = RunOutcome.Success }, Ct);

        Assert.Equal(0, _store.Calls);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(2, await _store.WaitForCallAsync());

        // The call has begun; the fake records the batch once it is stored, which the flush waits for.
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(
            [new LedgerWrite.RunFinished(run with { Outcome = RunOutcome.Success }), new LedgerWrite.Attempt(started with { Status = AttemptStatus.Success })],
            Assert.Single(_store.Batches));
    }

    [Fact]
    public async Task BatchWindow_FlushOrRead_StoresWithoutWaitingForTheWindow()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMinutes(10) }, batchWindow: true);
        await ledger.RunStartedAsync(Run("run_a"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));

        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(["run_a"], _store.Writes.Select(w => w.RunId));

        await ledger.RunStartedAsync(Run("run_b"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));
        Assert.Equal("run_b", (await ledger.GetRunAsync("run_b", Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct))!.Id);
    }

    [Fact]
    public async Task BatchWindow_FullBatchQueued_StoresWithoutWaitingForTheWindow()
    {
        var ledger = Create(new BufferedLedgerOptions { MaxBatchSize = 4, BatchWindow = TimeSpan.FromMinutes(10) }, batchWindow: true);
        await ledger.RunFinishedAsync(Run("run_0"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));
        for (var i = 1; i < 4; i++)
        {
            await ledger.RunFinishedAsync(Run($"run_{i}"), Ct);
        }

        Assert.Equal(4, await _store.WaitForCallAsync());
        Assert.Equal(["run_0", "run_1", "run_2", "run_3"], _store.Writes.Select(w => w.RunId));
    }

    [Fact]
    public async Task BatchWindow_Dispose_StoresWithoutWaitingForTheWindow()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMinutes(10) }, batchWindow: true);
        await ledger.RunStartedAsync(Run("run_a"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));

        await ledger.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(["run_a"], _store.Writes.Select(w => w.RunId));
    }

    [Fact]
    public async Task BatchWindow_RequestEndingInTheNextWindow_IsWrittenOnceAsItsFinish()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMilliseconds(10) }, batchWindow: true);
        var run = Run("run_a");
        var started = Attempt("run_a", 1);
        await ledger.RunStartedAsync(run, Ct);
        await _time.WaitForTimerAsync(TimeSpan.FromMilliseconds(10));
        await ledger.AttemptAsync(started, Ct);

        // The window runs out with the run only started: its writes wait for the next window.
        await NextWindowAsync(TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, _store.Calls);
        await ledger.AttemptAsync(started with { Status = AttemptStatus.Success }, Ct);
        await ledger.RunFinishedAsync(run with { Outcome = RunOutcome.Success }, Ct);
        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(2, await _store.WaitForCallAsync());
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(
            [new LedgerWrite.RunFinished(run with { Outcome = RunOutcome.Success }), new LedgerWrite.Attempt(started with { Status = AttemptStatus.Success })],
            Assert.Single(_store.Batches));
        Assert.Equal(0, ledger.Pending);
    }

    [Fact]
    public async Task BatchWindow_HeldStartWithoutAnEnd_IsStoredAfterOneMoreWindow()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMilliseconds(10) }, batchWindow: true);
        await StartInWindowAsync(ledger, "run_a", TimeSpan.FromMilliseconds(10));
        await NextWindowAsync(TimeSpan.FromMilliseconds(10));
        Assert.Equal(0, _store.Calls);

        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(1, await _store.WaitForCallAsync());
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(["run_a"], _store.Writes.Select(w => w.RunId));
        Assert.IsType<LedgerWrite.RunStarted>(Assert.Single(_store.Writes));
    }

    [Fact]
    public async Task BatchWindow_ReadWhileAStartIsHeld_SeesIt()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMinutes(10) }, batchWindow: true);
        await StartInWindowAsync(ledger, "run_a", TimeSpan.FromMinutes(10));
        await NextWindowAsync(TimeSpan.FromMinutes(10));

        var read = await ledger.GetRunAsync("run_a", Ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal("run_a", read!.Id);
    }

    [Fact]
    public async Task BatchWindow_HeldStartBeforeStoredWrites_FlushWaitsForTheHeldOne()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMinutes(10) }, batchWindow: true);
        await StartInWindowAsync(ledger, "run_a", TimeSpan.FromMinutes(10));
        await ledger.RunStartedAsync(Run("run_b"), Ct);
        await ledger.RunFinishedAsync(Run("run_b") with { Outcome = RunOutcome.Success }, Ct);
        _time.Advance(TimeSpan.FromMinutes(10));

        // run_b is stored now; run_a's start is held, and it came first in the queue, so nothing counts as written yet.
        Assert.Equal(1, await _store.WaitForCallAsync());
        await _time.WaitForTimerAsync(TimeSpan.FromMinutes(10));
        Assert.Equal(3, ledger.Pending);

        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(["run_b", "run_a"], _store.Writes.Select(w => w.RunId));
        Assert.Equal(0, ledger.Pending);
        Assert.Equal(3, ledger.Written);
    }

    [Fact]
    public async Task BatchWindow_FullBatchOfStarts_IsHeldForTheNextBatchOnly()
    {
        var ledger = Create(new BufferedLedgerOptions { MaxBatchSize = 4, BatchWindow = TimeSpan.FromMinutes(10) }, batchWindow: true);
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));
        for (var i = 1; i < 4; i++)
        {
            await ledger.RunStartedAsync(Run($"run_{i}"), Ct);
        }

        // The full batch does not wait for the window, but its runs have only started: held for one batch. The next
        // batch is full with them (a batch never exceeds MaxBatchSize), so they are stored then, and the finish after.
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));
        Assert.Equal(0, _store.Calls);
        await ledger.RunFinishedAsync(Run("run_0") with { Outcome = RunOutcome.Success }, Ct);
        _time.Advance(TimeSpan.FromMinutes(10));

        Assert.Equal(4, await _store.WaitForCallAsync());
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal([4, 1], _store.Batches.Select(b => b.Length));
        Assert.All(_store.Batches[0], w => Assert.IsType<LedgerWrite.RunStarted>(w));
        Assert.Equal(RunOutcome.Success, (await _store.GetRunAsync("run_0", Ct))!.Outcome);
    }

    [Fact]
    public async Task BatchWindow_RunWithAnEndedAttempt_IsNotHeld()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMilliseconds(10) }, batchWindow: true);
        await StartInWindowAsync(ledger, "run_a", TimeSpan.FromMilliseconds(10));
        await ledger.AttemptAsync(Attempt("run_a", 1) with { Status = AttemptStatus.Skipped, SkipReason = SkipReason.CircuitOpen }, Ct);

        _time.Advance(TimeSpan.FromMilliseconds(10));

        Assert.Equal(2, await _store.WaitForCallAsync());
    }

    [Fact]
    public async Task BatchWindow_HeldRunStartingAnotherAttempt_IsStoredInTheNextBatch()
    {
        var ledger = Create(new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMilliseconds(10) }, batchWindow: true);
        await StartInWindowAsync(ledger, "run_a", TimeSpan.FromMilliseconds(10));
        await NextWindowAsync(TimeSpan.FromMilliseconds(10));
        await ledger.AttemptAsync(Attempt("run_a", 1), Ct);

        _time.Advance(TimeSpan.FromMilliseconds(10));

        // A write is held once: the start and the attempt (which must not reach the store before it) go now.
        Assert.Equal(2, await _store.WaitForCallAsync());
    }

    [Fact]
    public void HoldStarts_MixedRuns_HoldsOnlyRunsThatOnlyStartedAndWereNotHeldBefore()
    {
        LedgerWrite[] writes =
        [
            new LedgerWrite.RunStarted(Run("run_a")),
            new LedgerWrite.RunFinished(Run("run_b")),
            new LedgerWrite.Attempt(Attempt("run_a", 1)),
            new LedgerWrite.Attempt(Attempt("run_b", 1) with { Status = AttemptStatus.Success }),
            new LedgerWrite.RunStarted(Run("run_c")),
            new LedgerWrite.Attempt(Attempt("run_c", 1) with { Status = AttemptStatus.Failed }),
            new LedgerWrite.Attempt(Attempt("run_d", 2)),
            new LedgerWrite.RunStarted(Run("run_e")),
        ];
        var held = new List<LedgerWrite>();
        var heldNow = new HashSet<string>(StringComparer.Ordinal);

        var now = BufferedLedger.HoldStarts([.. writes], new HashSet<string>(["run_e"], StringComparer.Ordinal), held, heldNow);

        Assert.Equal([writes[1], writes[3], writes[4], writes[5], writes[7]], now);
        Assert.Equal([writes[0], writes[2], writes[6]], held);
        Assert.Equal(["run_a", "run_d"], heldNow.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Coalesce_SeveralAttemptsOfARun_KeepsEachAttemptsLastWriteAtItsFirstPlace()
    {
        List<LedgerWrite> batch =
        [
            new LedgerWrite.RunStarted(Run("run_a")),
            new LedgerWrite.Attempt(Attempt("run_a", 1)),
            new LedgerWrite.Attempt(Attempt("run_a", 1) with { Status = AttemptStatus.Failed }),
            new LedgerWrite.Attempt(Attempt("run_a", 2)),
            new LedgerWrite.Attempt(Attempt("run_a", 3)),
            new LedgerWrite.Attempt(Attempt("run_a", 2) with { Status = AttemptStatus.Failed }),
            new LedgerWrite.Attempt(Attempt("run_a", 3) with { Status = AttemptStatus.Success }),
        ];

        Assert.Equal([batch[0], batch[2], batch[5], batch[6]], BufferedLedger.Coalesce(batch));
    }

    // The writer's one-pass plan against the plain definition (a dictionary per kind, then a pass per run), on random
    // batches of a few runs: starts, finishes, attempts of a few seqs in either status, repeated and out of order.
    [Fact]
    public void Coalesce_And_HoldStarts_RandomBatches_MatchTheDefinition()
    {
        var random = new Random(20261202);
        var plan = new LedgerBatchPlan();
        for (var round = 0; round < 2000; round++)
        {
            var batch = new List<LedgerWrite>();
            for (var i = random.Next(0, 25); i > 0; i--)
            {
                var run = $"run_{random.Next(4)}";
                batch.Add(random.Next(5) switch
                {
                    0 => new LedgerWrite.RunStarted(Run(run)),
                    1 => new LedgerWrite.RunFinished(Run(run) with { HttpStatus = random.Next(3) }),
                    _ => new LedgerWrite.Attempt(Attempt(run, random.Next(1, 4)) with { Status = random.Next(2) == 0 ? AttemptStatus.Started : AttemptStatus.Success, Retry = random.Next(3) }),
                });
            }

            var heldBefore = new HashSet<string>(random.Next(2) == 0 ? ["run_1"] : [], StringComparer.Ordinal);
            var expected = ReferenceCoalesce(batch);
            Assert.Equal(expected, BufferedLedger.Coalesce(batch));

            var (expectedNow, expectedHeld, expectedRuns) = ReferenceHold(expected, heldBefore);
            var held = new List<LedgerWrite>();
            var heldNow = new HashSet<string>(StringComparer.Ordinal);
            Assert.Equal(expectedNow, BufferedLedger.HoldStarts([.. expected], heldBefore, held, heldNow));
            Assert.Equal(expectedHeld, held);
            Assert.Equal(expectedRuns.Order(StringComparer.Ordinal), heldNow.Order(StringComparer.Ordinal));

            // What the writer does: both steps in one pass over the batch as read, reusing the plan.
            held.Clear();
            heldNow.Clear();
            Assert.Equal(expectedNow, plan.Prepare(batch, hold: true, heldBefore, held, heldNow, out var firstHeld));
            Assert.Equal(expectedHeld, held);
            Assert.Equal(expectedRuns.Order(StringComparer.Ordinal), heldNow.Order(StringComparer.Ordinal));
            Assert.Equal(batch.FindIndex(w => expectedRuns.Contains(w.RunId)), firstHeld);
        }

        static List<LedgerWrite> ReferenceCoalesce(List<LedgerWrite> batch)
        {
            var result = new List<LedgerWrite>();
            var runs = new Dictionary<string, int>();
            var attempts = new Dictionary<(string, int), int>();
            foreach (var write in batch)
            {
                switch (write)
                {
                    case LedgerWrite.RunStarted when runs.ContainsKey(write.RunId):
                        break;
                    case LedgerWrite.RunStarted or LedgerWrite.RunFinished when runs.TryGetValue(write.RunId, out var slot):
                        result[slot] = write;
                        break;
                    case LedgerWrite.RunStarted or LedgerWrite.RunFinished:
                        runs[write.RunId] = result.Count;
                        result.Add(write);
                        break;
                    case LedgerWrite.Attempt attempt when attempts.TryGetValue((write.RunId, attempt.Record.Seq), out var slot):
                        result[slot] = write;
                        break;
                    case LedgerWrite.Attempt attempt:
                        attempts[(write.RunId, attempt.Record.Seq)] = result.Count;
                        result.Add(write);
                        break;
                }
            }

            return result;
        }

        static (List<LedgerWrite> Now, List<LedgerWrite> Held, List<string> Runs) ReferenceHold(List<LedgerWrite> writes, HashSet<string> heldBefore)
        {
            var runs = writes.GroupBy(w => w.RunId)
                .Where(g => !heldBefore.Contains(g.Key) && g.All(w => w is LedgerWrite.RunStarted or LedgerWrite.Attempt { Record.Status: AttemptStatus.Started }))
                .Select(g => g.Key)
                .ToList();
            return ([.. writes.Where(w => !runs.Contains(w.RunId))], [.. writes.Where(w => runs.Contains(w.RunId))], runs);
        }
    }

    [Fact]
    public async Task Writes_WhileStoreIsBusy_AreBatchedUpToMaxBatchSize()
    {
        var ledger = Create(new BufferedLedgerOptions { MaxBatchSize = 4 });
        _store.Hold();
        await ledger.RunStartedAsync(Run("run_00"), Ct);
        Assert.Equal(1, await _store.WaitForCallAsync());

        for (var i = 1; i <= 9; i++)
        {
            await ledger.RunStartedAsync(Run($"run_{i:D2}"), Ct);
        }

        _store.Release();
        await ledger.FlushAsync(Ct);

        Assert.Equal([1, 4, 4, 1], _store.Batches.Select(b => b.Length));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"run_{i:D2}"), _store.Writes.Select(w => w.RunId));
    }

    [Fact]
    public async Task Write_QueueFull_WaitsUntilTheWriterMakesRoom()
    {
        var ledger = Create(new BufferedLedgerOptions { Capacity = 2, MaxBatchSize = 2 });
        _store.Hold();
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await _store.WaitForCallAsync();
        await ledger.RunStartedAsync(Run("run_1"), Ct);
        await ledger.RunStartedAsync(Run("run_2"), Ct);

        var blocked = ledger.RunStartedAsync(Run("run_3"), Ct).AsTask();
        await Task.Delay(50, Ct);

        Assert.False(blocked.IsCompleted);
        Assert.Equal(3, ledger.Pending);
        Assert.Equal((false, "fail: the queue is full (3 writes), so requests wait for the database: the database takes writes slower than they come"), ledger.Health());
        _store.Release();
        await blocked.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await ledger.FlushAsync(Ct);
        Assert.Equal(["run_0", "run_1", "run_2", "run_3"], _store.Writes.Select(w => w.RunId));
        Assert.Equal((true, "ok (0 writes waiting)"), ledger.Health());
    }

    [Fact]
    public async Task Write_QueueFullAndCallerCancels_ThrowsAndDoesNotQueue()
    {
        var ledger = Create(new BufferedLedgerOptions { Capacity = 1, MaxBatchSize = 1 });
        _store.Hold();
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await _store.WaitForCallAsync();
        await ledger.RunStartedAsync(Run("run_1"), Ct);
        using var cancel = new CancellationTokenSource();

        var blocked = ledger.RunStartedAsync(Run("run_2"), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => blocked);
        _store.Release();
        await ledger.FlushAsync(Ct);
        Assert.Equal(["run_0", "run_1"], _store.Writes.Select(w => w.RunId));
    }

    [Fact]
    public async Task FlushAsync_NothingQueued_CompletesAtOnce()
    {
        var ledger = Create();

        var flush = ledger.FlushAsync(Ct);

        Assert.True(flush.IsCompletedSuccessfully);
        await flush;
    }

    [Fact]
    public async Task FlushAsync_WritesInFlight_WaitsUntilTheyAreStored()
    {
        var ledger = Create();
        _store.Hold();
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await ledger.RunStartedAsync(Run("run_1"), Ct);

        var flush = ledger.FlushAsync(Ct);
        await _store.WaitForCallAsync();
        await Task.Delay(20, Ct);

        Assert.False(flush.IsCompleted);
        _store.Release();
        await flush.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(2, _store.Writes.Count);
    }

    [Fact]
    public async Task FlushAsync_Cancelled_ThrowsWithoutLosingWrites()
    {
        var ledger = Create();
        _store.Hold();
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        using var cancel = new CancellationTokenSource();

        var flush = ledger.FlushAsync(cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flush);
        _store.Release();
        await ledger.FlushAsync(Ct);
        Assert.Single(_store.Writes);
    }

    [Fact]
    public async Task GetRunAsync_RightAfterWrite_SeesIt()
    {
        var ledger = Create();
        _store.Hold();
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await ledger.AttemptAsync(Attempt("run_0", 1), Ct);

        var read = ledger.GetRunAsync("run_0", Ct).AsTask();
        var attempts = ledger.GetAttemptsAsync("run_0", Ct).AsTask();
        _store.Release();

        Assert.Equal("run_0", (await read)!.Id);
        Assert.Single(await attempts);
        Assert.Single(await ledger.ListRunsAsync(new RunQuery(), Ct));
    }

    [Fact]
    public async Task Store_FailsTwice_BatchIsRetriedWithGrowingWaitAndNothingIsLost()
    {
        // A long batch window holds the writer after the first write, so both writes form one batch whatever the thread timing.
        var ledger = Create(
            new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMinutes(10), RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(5) },
            batchWindow: true);
        _store.FailNext(2);

        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));
        await ledger.AttemptAsync(Attempt("run_0", 1), Ct);
        var flush = ledger.FlushAsync(Ct);

        Assert.Equal(TimeSpan.FromMilliseconds(100), await _time.WaitForTimerAsync(d => d > TimeSpan.Zero && d < TimeSpan.FromMinutes(10)));
        Assert.False(flush.IsCompleted);
        Assert.Equal((true, "failing: the last try to store failed; 2 writes waiting, none dropped"), ledger.Health());
        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(200), await _time.WaitForTimerAsync(d => d > TimeSpan.Zero && d < TimeSpan.FromMinutes(10)));
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await flush.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(["run_0", "run_0"], _store.Writes.Select(w => w.RunId));
        Assert.Single(_store.Batches);
        Assert.Equal(2, _logger.Entries.Count(e => e is { Level: LogLevel.Error, EventName: "LedgerBatchFailed" }));
        Assert.Contains(_logger.Entries, e => e.EventName == "LedgerBatchRecovered");
    }

    [Fact]
    public async Task Store_RefusesOneRunsWrites_TheyAreSetAsideAndTheRestOfTheBatchAndTheQueueAreStored()
    {
        var ledger = Create(
            new BufferedLedgerOptions { BatchWindow = TimeSpan.FromMinutes(10), RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(5), RejectAfter = 3 },
            batchWindow: true);
        _store.Refuse("run_1");

        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMinutes(10));
        await ledger.RunStartedAsync(Run("run_1"), Ct);
        await ledger.AttemptAsync(Attempt("run_1", 1), Ct);
        await ledger.RunStartedAsync(Run("run_2"), Ct);
        var flush = ledger.FlushAsync(Ct);

        // The batch of four: two waits, then the third rejection sends it write by write; each of run_1's two writes
        // is then rejected three times on its own (two waits each) and set aside.
        var waits = new List<double>();
        for (var i = 0; i < 6; i++)
        {
            var wait = await _time.WaitForTimerAsync(d => d > TimeSpan.Zero && d < TimeSpan.FromMinutes(10));
            waits.Add(wait.TotalMilliseconds);
            Assert.False(flush.IsCompleted);
            _time.Advance(wait);
        }

        await flush.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal<double>([100, 200, 100, 200, 100, 200], waits);
        Assert.Equal(["run_0", "run_2"], _store.Writes.Select(w => w.RunId));
        Assert.Equal(2, ledger.Rejected);
        Assert.Equal(0, ledger.Pending);
        Assert.Single(_logger.Entries, e => e is { Level: LogLevel.Warning, EventName: "LedgerBatchRejected" });
        var rejected = _logger.Entries.Where(e => e.EventName == "LedgerWriteRejected").ToList();
        Assert.Equal(2, rejected.Count);
        Assert.All(rejected, e => Assert.Equal(LogLevel.Error, e.Level));
        Assert.Contains("RunStarted of run run_1", rejected[0].Message, StringComparison.Ordinal);
        Assert.Contains("Attempt of run run_1 (attempt 1)", rejected[1].Message, StringComparison.Ordinal);

        Assert.Equal((true, "ok (0 writes waiting); 2 refused writes set aside since start (LedgerWriteRejected in the log)"), ledger.Health());

        // The ledger goes on.
        await ledger.RunStartedAsync(Run("run_3"), Ct);
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        Assert.Equal(["run_0", "run_2", "run_3"], _store.Writes.Select(w => w.RunId));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Store_RefusesTheOnlyWriteOfABatch_SetAsideOnlyAfterRejectAfterTries(bool takenAtTheThirdTry)
    {
        var ledger = Create(new BufferedLedgerOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(5), RejectAfter = 3 });
        _store.Refuse("run_0");

        await ledger.RunFinishedAsync(Run("run_0"), Ct);
        var flush = ledger.FlushAsync(Ct);
        _time.Advance(await _time.WaitForTimerAsync(d => d == TimeSpan.FromMilliseconds(100)));
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromMilliseconds(200));
        if (takenAtTheThirdTry)
        {
            _store.Accept("run_0");
        }

        _time.Advance(TimeSpan.FromMilliseconds(200));
        await flush.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        string[] stored = takenAtTheThirdTry ? ["run_0"] : [];
        Assert.Equal(3, _store.Calls);
        Assert.Equal(stored, _store.Writes.Select(w => w.RunId));
        Assert.Equal(takenAtTheThirdTry ? 0 : 1, ledger.Rejected);
        var rejected = _logger.Entries.Where(e => e.EventName == "LedgerWriteRejected").ToList();
        Assert.Equal(takenAtTheThirdTry ? 0 : 1, rejected.Count);
        Assert.All(rejected, e => Assert.Contains("RunFinished of run run_0", e.Message, StringComparison.Ordinal));
        Assert.DoesNotContain(_logger.Entries, e => e.EventName == "LedgerBatchRejected");
    }

    [Fact]
    public async Task Store_KeepsFailing_WritersBlockWhenFullAndNothingIsDropped()
    {
        var ledger = Create(new BufferedLedgerOptions { Capacity = 2, MaxBatchSize = 1, RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(1) });
        _store.FailNext(int.MaxValue);
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(1));
        await ledger.RunStartedAsync(Run("run_1"), Ct);
        await ledger.RunStartedAsync(Run("run_2"), Ct);

        var blocked = ledger.RunStartedAsync(Run("run_3"), Ct).AsTask();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await _time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(1));
        }

        Assert.False(blocked.IsCompleted);
        Assert.Empty(_store.Writes);
        Assert.Equal(0, ledger.Rejected);
        var (ready, status) = ledger.Health();
        Assert.False(ready);
        Assert.Matches("^fail: the queue is full \\(3 writes\\), so requests wait for the database: the last [0-9]+ tries to store failed$", status);
        Assert.True(_logger.Entries.Count(e => e.Level == LogLevel.Error) >= 6);

        _store.FailNext(0);
        _time.Advance(TimeSpan.FromSeconds(1));
        await blocked.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await ledger.FlushAsync(Ct);
        Assert.Equal(["run_0", "run_1", "run_2", "run_3"], _store.Writes.Select(w => w.RunId));
        Assert.Equal((true, "ok (0 writes waiting)"), ledger.Health());
    }

    [Fact]
    public async Task DisposeAsync_WritesQueued_StoresThemBeforeReturning()
    {
        var ledger = Create();
        _store.Hold();
        for (var i = 0; i < 20; i++)
        {
            await ledger.RunStartedAsync(Run($"run_{i:D2}"), Ct);
        }

        var dispose = ledger.DisposeAsync().AsTask();
        await _store.WaitForCallAsync();
        Assert.False(dispose.IsCompleted);
        _store.Release();
        await dispose.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(20, _store.Writes.Count);
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await ledger.RunStartedAsync(Run("late"), Ct));
    }

    [Fact]
    public async Task DisposeAsync_StoreKeepsFailing_GivesUpAfterShutdownTimeoutAndLogsTheLoss()
    {
        var ledger = Create(new BufferedLedgerOptions { RetryBaseDelay = TimeSpan.FromSeconds(1), RetryMaxDelay = TimeSpan.FromSeconds(1), ShutdownTimeout = TimeSpan.FromSeconds(10) });
        _store.FailNext(int.MaxValue);
        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await ledger.RunStartedAsync(Run("run_1"), Ct);
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(1));

        var dispose = ledger.DisposeAsync().AsTask();
        await _time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromSeconds(10));
        await dispose.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var lost = Assert.Single(_logger.Entries, e => e.EventName == "LedgerWritesAbandoned");
        Assert.Equal(LogLevel.Error, lost.Level);
        Assert.Contains("2 writes", lost.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.FlushAsync(Ct));
    }

    [Fact]
    public async Task Store_WithoutBatchCapability_WritesOneByOneAndRetriesOnlyTheFailedWrite()
    {
        var store = new FlakyLedger();
        await using var ledger = new BufferedLedger(store, new BufferedLedgerOptions { BatchWindow = TimeSpan.Zero }, _time, _logger);
        store.FailOn = "run_1";

        await ledger.RunStartedAsync(Run("run_0"), Ct);
        await ledger.RunStartedAsync(Run("run_1"), Ct);
        await ledger.RunStartedAsync(Run("run_2"), Ct);
        var flush = ledger.FlushAsync(Ct);
        await _time.WaitForTimerAsync(d => d > TimeSpan.Zero);
        store.FailOn = null;
        _time.Advance(TimeSpan.FromSeconds(1));
        await flush.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(["run_0", "run_1", "run_2"], store.Started);
    }

    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(6, 3200)]
    [InlineData(7, 5000)]
    [InlineData(1000, 5000)]
    public void RetryDelay_Failures_DoublesUpToTheCap(int failures, int expectedMs)
    {
        var ledger = Create(new BufferedLedgerOptions { RetryBaseDelay = TimeSpan.FromMilliseconds(100), RetryMaxDelay = TimeSpan.FromSeconds(5) });

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), ledger.RetryDelay(failures));
    }

    [Fact]
    public async Task Writes_ManyConcurrentCallersWithSmallQueue_NothingLost()
    {
        var ledger = Create(new BufferedLedgerOptions { Capacity = 8, MaxBatchSize = 5 });

        await Task.WhenAll(Enumerable.Range(0, 32).Select(c => Task.Run(
            async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    await ledger.AttemptAsync(Attempt($"run_{c:D2}", i), Ct);
                }
            },
            Ct)));
        await ledger.FlushAsync(Ct);

        Assert.Equal(32 * 50, _store.Writes.Count);
        Assert.All(_store.Batches, b => Assert.InRange(b.Length, 1, 5));
        foreach (var group in _store.Writes.Cast<LedgerWrite.Attempt>().GroupBy(w => w.RunId))
        {
            Assert.Equal(Enumerable.Range(0, 50), group.Select(w => w.Record.Seq));
        }
    }

    // Without a batch window unless the test is about it: the other tests pin down batches and timers of their own.
    // Queues a run's start and waits until the writer's batch window (of length window) is open.
    private async Task StartInWindowAsync(BufferedLedger ledger, string runId, TimeSpan window)
    {
        await ledger.RunStartedAsync(Run(runId), Ct);
        await _time.WaitForTimerAsync(window);
    }

    // Lets the open window run out and waits until the writer has opened the next one.
    private async Task NextWindowAsync(TimeSpan window)
    {
        _time.Advance(window);
        await _time.WaitForTimerAsync(window);
    }

    private BufferedLedger Create(BufferedLedgerOptions? options = null, bool batchWindow = false)
    {
        options ??= new BufferedLedgerOptions();
        if (!batchWindow)
        {
            options.BatchWindow = TimeSpan.Zero;
        }

        return _ledger = new BufferedLedger(_store, options, _time, _logger);
    }

    private static RunRecord Run(string id) => new()
    {
        Id = id,
        StartedAt = T0,
        Route = "image",
        Modality = Modality.Image,
        RequestedModel = "image",
        Endpoint = "images.generations",
    };

    private static AttemptRecord Attempt(string runId, int seq) => new()
    {
        RunId = runId,
        Seq = seq,
        Tier = 0,
        Provider = "sandbox",
        ProviderType = "sandbox",
        Status = AttemptStatus.Started,
        StartedAt = T0,
    };

    // A store without the batch capability that fails a chosen run's start until told otherwise.
    private sealed class FlakyLedger : ILedger
    {
        private readonly InMemoryLedger _data = new();

        public string? FailOn { get; set; }

        public List<string> Started { get; } = [];

        public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken)
        {
            if (run.Id == FailOn)
            {
                throw new InvalidOperationException("down");
            }

            Started.Add(run.Id);
            return _data.RunStartedAsync(run, cancellationToken);
        }

        public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken) => _data.AttemptAsync(attempt, cancellationToken);

        public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => _data.RunFinishedAsync(run, cancellationToken);

        public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => _data.GetRunAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) => _data.GetAttemptsAsync(runId, cancellationToken);

        public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => _data.ListRunsAsync(query, cancellationToken);

        public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) => _data.GetRunFactsAsync(query, cancellationToken);

        public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => _data.DeleteRunsBeforeAsync(cutoff, cancellationToken);
    }
}
