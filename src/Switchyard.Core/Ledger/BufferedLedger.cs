using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>
/// A ledger that queues writes and stores them in the background, in batches, in order. The queue is bounded:
/// when it is full a write waits for room (back-pressure) rather than dropping a record. A batch that fails is
/// tried again, with a growing wait, until it is stored; every failure is logged. Reads first wait for every
/// write queued before them (read-your-writes), and <see cref="DisposeAsync"/> stores the queue before it returns.
/// </summary>
public sealed partial class BufferedLedger : ILedger, IAsyncDisposable
{
    private readonly ILedger _store;
    private readonly ILedgerBatchWriter? _batchWriter;
    private readonly BufferedLedgerOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<LedgerWrite> _channel;
    private readonly CancellationTokenSource _abandon = new();
    private readonly Task _consumer;

    // Enqueuing happens under this lock so that the count of queued writes follows the channel's order:
    // a flush that reads the count then waits for exactly the writes queued before it.
    private readonly Lock _enqueueLock = new();
    private long _enqueued;
    private bool _completed;

    private readonly Lock _progressLock = new();
    private long _written;
    private long _rejected;
    private int _failuresInARow;
    private bool _stopped;
    private TaskCompletionSource _progress = NewSignal();

    // The batch window ends early once a flush waits for writes up to _hurryUntil: _hurry is the current window's signal.
    // It also ends once a full batch is queued: when _enqueued reaches _windowFullAt (long.MaxValue outside a window);
    // _taken counts the writes the writer has read from the queue.
    private long _hurryUntil;
    private TaskCompletionSource _hurry = NewSignal();
    private long _windowFullAt = long.MaxValue;
    private long _taken;

    /// <summary>Creates a ledger that buffers writes to <paramref name="store"/> and starts its background writer.</summary>
    /// <param name="store">The durable store; when it is an <see cref="ILedgerBatchWriter"/> batches go to it whole, otherwise write by write.</param>
    /// <param name="options">Queue size, batch size and retry waits.</param>
    /// <param name="time">The clock the retry waits run on.</param>
    /// <param name="logger">Where failures are reported.</param>
    public BufferedLedger(ILedger store, BufferedLedgerOptions options, TimeProvider time, ILogger<BufferedLedger> logger)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryBaseDelay, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryMaxDelay, options.RetryBaseDelay);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchWindow, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RejectAfter, 1);

        _store = store;
        _batchWriter = store as ILedgerBatchWriter;
        _options = options;
        _time = time;
        _logger = logger;
        _channel = Channel.CreateBounded<LedgerWrite>(new BoundedChannelOptions(options.Capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
        _consumer = Task.Run(() => ConsumeAsync(_abandon.Token));
    }

    /// <summary>The store behind the queue.</summary>
    public ILedger Store => _store;

    /// <summary>Writes queued and not yet stored (a stored write queued after a held start counts until that start is stored).</summary>
    public long Pending
    {
        get
        {
            lock (_progressLock)
            {
                return Interlocked.Read(ref _enqueued) - _written;
            }
        }
    }

    /// <summary>Writes stored since start.</summary>
    public long Written
    {
        get
        {
            lock (_progressLock)
            {
                return _written;
            }
        }
    }

    /// <summary>
    /// Writes the store rejected (see <see cref="ILedgerBatchWriter.IsRejection"/>) <see cref="BufferedLedgerOptions.RejectAfter"/>
    /// times in a row and that were set aside, each logged at Error with its run, since start. They count as written.
    /// </summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>
    /// What <c>/readyz</c> says of the ledger: not ready while the queue is full (requests then wait for the database),
    /// and, while ready, whether the store is failing (retried, nothing dropped) and how many writes were set aside.
    /// </summary>
    public (bool Ready, string Status) Health()
    {
        var pending = Pending;
        var failures = Volatile.Read(ref _failuresInARow);
        var rejected = Rejected;
        var setAside = rejected > 0 ? $"; {rejected} refused writes set aside since start (LedgerWriteRejected in the log)" : string.Empty;
        var failing = failures == 1 ? "the last try to store failed" : $"the last {failures} tries to store failed";
        if (pending >= _options.Capacity)
        {
            var why = failures > 0 ? failing : "the database takes writes slower than they come";
            return (false, $"fail: the queue is full ({pending} writes), so requests wait for the database: {why}{setAside}");
        }

        return failures > 0
            ? (true, $"failing: {failing}; {pending} writes waiting, none dropped{setAside}")
            : (true, $"ok ({pending} writes waiting){setAside}");
    }

    /// <inheritdoc />
    /// <remarks>Returns once the write is queued; waits while the queue is full.</remarks>
    public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return EnqueueAsync(new LedgerWrite.RunStarted(run), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Returns once the write is queued; waits while the queue is full.</remarks>
    public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        return EnqueueAsync(new LedgerWrite.Attempt(attempt), cancellationToken);
    }

    /// <inheritdoc />
    /// <remarks>Returns once the write is queued; waits while the queue is full.</remarks>
    public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        return EnqueueAsync(new LedgerWrite.RunFinished(run), cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.GetAttemptsAsync(runId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.ListRunsAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.GetRunFactsAsync(query, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await _store.DeleteRunsBeforeAsync(cutoff, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every write queued before this call is stored.</summary>
    /// <exception cref="InvalidOperationException">The background writer was stopped before those writes were stored.</exception>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _enqueued);
        Hurry(target);
        while (true)
        {
            Task progress;
            lock (_progressLock)
            {
                if (_written >= target)
                {
                    return;
                }

                if (_stopped)
                {
                    throw new InvalidOperationException($"The ledger writer stopped with {target - _written} writes not stored.");
                }

                progress = _progress.Task;
            }

            await progress.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Stops taking writes and waits until every queued write is stored. When <paramref name="cancellationToken"/> fires
    /// first, the writer gives up and logs at Error how many writes are lost.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        lock (_enqueueLock)
        {
            _completed = true;
            _channel.Writer.TryComplete();
        }

        Hurry(long.MaxValue);
        try
        {
            await _consumer.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abandon.CancelAsync().ConfigureAwait(false);
            await _consumer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Stores every queued write (waiting at most <see cref="BufferedLedgerOptions.ShutdownTimeout"/>) and stops the writer.</summary>
    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(_options.ShutdownTimeout, _time))
        {
            await CompleteAsync(timeout.Token).ConfigureAwait(false);
        }

        _abandon.Dispose();
    }

    private ValueTask EnqueueAsync(LedgerWrite write, CancellationToken cancellationToken)
    {
        lock (_enqueueLock)
        {
            ObjectDisposedException.ThrowIf(_completed, this);
            if (_channel.Writer.TryWrite(write))
            {
                EndWindowWhenFull(++_enqueued);
                return ValueTask.CompletedTask;
            }
        }

        return EnqueueWhenRoomAsync(write, cancellationToken);
    }

    // Back-pressure: the queue is full, so the caller waits until the writer has made room.
    private async ValueTask EnqueueWhenRoomAsync(LedgerWrite write, CancellationToken cancellationToken)
    {
        while (true)
        {
            var open = await _channel.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false);
            lock (_enqueueLock)
            {
                ObjectDisposedException.ThrowIf(_completed || !open, this);
                if (_channel.Writer.TryWrite(write))
                {
                    EndWindowWhenFull(++_enqueued);
                    return;
                }
            }
        }
    }

    private async Task ConsumeAsync(CancellationToken abandon)
    {
        var reader = _channel.Reader;
        var batch = new List<LedgerWrite>(_options.MaxBatchSize);

        // Writes of runs that had only started in the last batch, held for this one (see HoldStarts), and the count of
        // writes already stored but not yet counted as written because a held write came before them in the queue.
        var held = new List<LedgerWrite>();
        var heldRuns = new HashSet<string>(StringComparer.Ordinal);
        var nextHeldRuns = new HashSet<string>(StringComparer.Ordinal);
        var plan = new LedgerBatchPlan();
        var storedUncounted = 0L;
        try
        {
            while (held.Count > 0 || await reader.WaitToReadAsync(abandon).ConfigureAwait(false))
            {
                await WaitForBatchAsync(reader, abandon).ConfigureAwait(false);
                batch.AddRange(held);
                held.Clear();
                var read = 0;
                while (batch.Count < _options.MaxBatchSize && reader.TryRead(out var write))
                {
                    batch.Add(write);
                    read++;
                }

                _taken += read;

                // The count of writes stored in queue order: a flush returns once it reaches the flush's target, so it
                // stops short of the first held write and takes in the ones after it when the held ones are stored.
                long written = batch.Count;
                if (_batchWriter is not null)
                {
                    nextHeldRuns.Clear();
                    var hold = _options.BatchWindow > TimeSpan.Zero && !Hurried();
                    var writes = plan.Prepare(batch, hold, heldRuns, held, nextHeldRuns, out var firstHeld);
                    if (writes.Count > 0)
                    {
                        await StoreAsync(writes, abandon).ConfigureAwait(false);
                    }

                    (heldRuns, nextHeldRuns) = (nextHeldRuns, heldRuns);
                    if (firstHeld >= 0)
                    {
                        written = firstHeld + storedUncounted;
                        storedUncounted = batch.Count - firstHeld - held.Count;
                    }
                    else
                    {
                        written += storedUncounted;
                        storedUncounted = 0;
                    }
                }
                else
                {
                    // Without batches each write is stored (and retried) alone, so a retry never repeats a stored write.
                    foreach (var write in batch)
                    {
                        await StoreAloneAsync(write, abandon).ConfigureAwait(false);
                    }
                }

                TaskCompletionSource signal;
                lock (_progressLock)
                {
                    _written += written;
                    signal = _progress;
                    _progress = NewSignal();
                }

                signal.TrySetResult();
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (abandon.IsCancellationRequested)
        {
            Log.WritesAbandoned(_logger, Pending);
        }
        finally
        {
            TaskCompletionSource signal;
            lock (_progressLock)
            {
                _stopped = true;
                signal = _progress;
            }

            signal.TrySetResult();
        }
    }

    // True while a flush, a read or the shutdown waits for writes not yet stored.
    private bool Hurried()
    {
        lock (_progressLock)
        {
            return _hurryUntil > _written;
        }
    }

    /// <summary>
    /// Moves from <paramref name="writes"/> (a coalesced batch no flush waits for) into <paramref name="held"/> the
    /// writes of every run that has only started in it: its start and attempts about to send, with no finish, no ended
    /// attempt and nothing held the last time (<paramref name="heldBefore"/>), so a write is held at most once and a
    /// run's attempts never reach the store before its start. Their runs go into <paramref name="heldNow"/>. A request
    /// that ends within the next window is then written once, as its finish and its final attempt, instead of as a
    /// start and attempt inserted now and both updated in the next batch.
    /// </summary>
    /// <returns>The writes to store now, in their order.</returns>
    internal static List<LedgerWrite> HoldStarts(List<LedgerWrite> writes, HashSet<string> heldBefore, List<LedgerWrite> held, HashSet<string> heldNow) =>
        new LedgerBatchPlan().Prepare(writes, hold: true, heldBefore, held, heldNow, out _);

    // The batch window: waits up to BatchWindow for more writes, unless a full batch is queued or a flush is waiting.
    private async Task WaitForBatchAsync(ChannelReader<LedgerWrite> reader, CancellationToken abandon)
    {
        if (_options.BatchWindow <= TimeSpan.Zero)
        {
            return;
        }

        Task hurry;
        lock (_progressLock)
        {
            if (_hurryUntil > _written)
            {
                return;
            }

            if (_hurry.Task.IsCompleted)
            {
                _hurry = NewSignal();
            }

            hurry = _hurry.Task;
        }

        // Published before the queue is counted, so a write that fills the batch either is counted here or ends the window.
        Interlocked.Exchange(ref _windowFullAt, _taken + _options.MaxBatchSize);
        try
        {
            if (reader.Count >= _options.MaxBatchSize)
            {
                return;
            }

            using var windowEnd = CancellationTokenSource.CreateLinkedTokenSource(abandon);
            var window = Task.Delay(_options.BatchWindow, _time, windowEnd.Token);
            await Task.WhenAny(window, hurry).ConfigureAwait(false);

            // Ends the window's timer when the wait ended early; a stop (abandon) surfaces at the writer's next wait.
            await windowEnd.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _windowFullAt, long.MaxValue);
        }
    }

    // Called under the enqueue lock with the new count of queued writes: ends the batch window once a full batch is queued.
    private void EndWindowWhenFull(long enqueued)
    {
        if (enqueued >= Volatile.Read(ref _windowFullAt))
        {
            Volatile.Read(ref _hurry).TrySetResult();
        }
    }

    // Makes the writer store without waiting for its batch window until the writes up to target are stored.
    private void Hurry(long target)
    {
        TaskCompletionSource hurry;
        lock (_progressLock)
        {
            _hurryUntil = Math.Max(_hurryUntil, target);
            hurry = _hurry;
        }

        hurry.TrySetResult();
    }

    // Tries the batch until it is stored: a record is never dropped because the store is down or busy. A batch the store
    // rejects (ILedgerBatchWriter.IsRejection) RejectAfter times in a row is written write by write instead, so that
    // only the writes the store refuses are set aside and the rest of the batch, and the queue behind it, flow on. A batch
    // of one write is that write alone.
    private async Task StoreAsync(List<LedgerWrite> batch, CancellationToken abandon)
    {
        if (_batchWriter is null || batch.Count == 1)
        {
            await StoreAloneAsync(batch[0], abandon).ConfigureAwait(false);
            return;
        }

        var failures = 0;
        while (true)
        {
            try
            {
                await _batchWriter.WriteBatchAsync(batch, abandon).ConfigureAwait(false);
                EndFailures();
                if (failures > 0)
                {
                    Log.BatchRecovered(_logger, batch.Count, failures);
                }

                return;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && abandon.IsCancellationRequested))
            {
                failures++;
                Volatile.Write(ref _failuresInARow, failures);
                if (failures >= _options.RejectAfter && _batchWriter.IsRejection(ex))
                {
                    Log.BatchRejected(_logger, ex, batch.Count, failures);
                    foreach (var write in batch)
                    {
                        await StoreAloneAsync(write, abandon).ConfigureAwait(false);
                    }

                    return;
                }

                var delay = RetryDelay(failures);
                Log.BatchFailed(_logger, ex, batch.Count, failures, Pending, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, abandon).ConfigureAwait(false);
            }
        }
    }

    // One write, tried until it is stored, or set aside (logged at Error and counted) once the store has rejected it
    // RejectAfter times in a row. A store without batches is written this way too; it cannot tell a rejection.
    private async Task StoreAloneAsync(LedgerWrite write, CancellationToken abandon)
    {
        var failures = 0;
        while (true)
        {
            try
            {
                if (_batchWriter is not null)
                {
                    await _batchWriter.WriteBatchAsync([write], abandon).ConfigureAwait(false);
                }
                else
                {
                    await write.ApplyAsync(_store, abandon).ConfigureAwait(false);
                }

                EndFailures();
                if (failures > 0)
                {
                    Log.BatchRecovered(_logger, 1, failures);
                }

                return;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException && abandon.IsCancellationRequested))
            {
                failures++;
                Volatile.Write(ref _failuresInARow, failures);
                if (failures >= _options.RejectAfter && _batchWriter?.IsRejection(ex) == true)
                {
                    EndFailures();
                    SetAside(write, ex, failures);
                    return;
                }

                var delay = RetryDelay(failures);
                Log.BatchFailed(_logger, ex, 1, failures, Pending, delay.TotalMilliseconds);
                await Task.Delay(delay, _time, abandon).ConfigureAwait(false);
            }
        }
    }

    // The store took a write (or refused one for good): it is not failing any more.
    private void EndFailures()
    {
        if (Volatile.Read(ref _failuresInARow) != 0)
        {
            Volatile.Write(ref _failuresInARow, 0);
        }
    }

    // A write the store refused RejectAfter times in a row: not stored, counted, and logged at Error with its run.
    private void SetAside(LedgerWrite write, Exception exception, int failures)
    {
        Interlocked.Increment(ref _rejected);
        Log.WriteRejected(_logger, exception, write.GetType().Name, write.RunId, (write as LedgerWrite.Attempt)?.Record.Seq, failures);
    }

    /// <summary>
    /// The batch with each run and each attempt written once, as its last write, where it first appeared: the store
    /// ends in the same state (a batch start of a stored run is skipped, finishes and attempts replace), a run still
    /// comes before its attempts, and a request's start, attempt start, attempt end and finish cost two writes, not four.
    /// </summary>
    internal static List<LedgerWrite> Coalesce(List<LedgerWrite> batch) =>
        new LedgerBatchPlan().Prepare(batch, hold: false, [], [], [], out _);

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row: the base delay doubled each time, capped.</summary>
    internal TimeSpan RetryDelay(int failures)
    {
        var factor = Math.Pow(2, Math.Min(failures - 1, 30));
        var delay = TimeSpan.FromTicks((long)Math.Min(_options.RetryBaseDelay.Ticks * factor, _options.RetryMaxDelay.Ticks));
        return delay;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
