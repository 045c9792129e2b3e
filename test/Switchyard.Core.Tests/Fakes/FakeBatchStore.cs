using System.Threading.Channels;
using Switchyard.Ledger;

namespace Switchyard.Core.Tests.Fakes;

/// <summary>
/// A ledger store in memory with the batch capability, for <see cref="BufferedLedger"/> tests: it keeps every batch,
/// can hold a batch until the test releases it, and can fail a number of times before it stores.
/// </summary>
internal sealed class FakeBatchStore : ILedger, ILedgerBatchWriter
{
    private readonly InMemoryLedger _data = new();
    private readonly List<LedgerWrite[]> _batches = [];
    private readonly Channel<int> _batchesSeen = Channel.CreateUnbounded<int>();
    private readonly HashSet<string> _refusedRuns = [];
    private TaskCompletionSource? _gate;
    private int _failuresLeft;

    /// <summary>Batches stored, in order.</summary>
    public IReadOnlyList<LedgerWrite[]> Batches
    {
        get
        {
            lock (_batches)
            {
                return [.. _batches];
            }
        }
    }

    /// <summary>Every write stored, in order.</summary>
    public IReadOnlyList<LedgerWrite> Writes => [.. Batches.SelectMany(b => b)];

    /// <summary>Calls of <see cref="WriteBatchAsync"/>, failed ones included.</summary>
    public int Calls { get; private set; }

    /// <summary>Makes the next batches wait until <see cref="Release"/>.</summary>
    public void Hold() => _gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lets held batches through.</summary>
    public void Release() => _gate?.TrySetResult();

    /// <summary>Makes the next <paramref name="times"/> calls throw.</summary>
    public void FailNext(int times) => _failuresLeft = times;

    /// <summary>Makes every call whose batch holds a write of <paramref name="runId"/> throw a rejection (<see cref="IsRejection"/>).</summary>
    public void Refuse(string runId)
    {
        lock (_refusedRuns)
        {
            _refusedRuns.Add(runId);
        }
    }

    /// <summary>Lets the writes of <paramref name="runId"/> through again.</summary>
    public void Accept(string runId)
    {
        lock (_refusedRuns)
        {
            _refusedRuns.Remove(runId);
        }
    }

    public bool IsRejection(Exception exception) => exception is RefusedException;

    /// <summary>Waits (bounded) until a call of <see cref="WriteBatchAsync"/> begins; returns its batch size.</summary>
    public async Task<int> WaitForCallAsync()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        return await _batchesSeen.Reader.ReadAsync(bound.Token);
    }

    public async ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken)
    {
        Calls++;
        _batchesSeen.Writer.TryWrite(writes.Count);
        if (_gate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (_failuresLeft > 0)
        {
            _failuresLeft--;
            throw new InvalidOperationException("the store is down");
        }

        lock (_refusedRuns)
        {
            if (writes.FirstOrDefault(w => _refusedRuns.Contains(w.RunId)) is { } refused)
            {
                throw new RefusedException($"the store refuses the writes of {refused.RunId}");
            }
        }

        foreach (var write in writes)
        {
            await write.ApplyAsync(_data, cancellationToken);
        }

        lock (_batches)
        {
            _batches.Add([.. writes]);
        }
    }

    public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => WriteBatchAsync([new LedgerWrite.RunStarted(run)], cancellationToken);

    public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken) => WriteBatchAsync([new LedgerWrite.Attempt(attempt)], cancellationToken);

    public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => WriteBatchAsync([new LedgerWrite.RunFinished(run)], cancellationToken);

    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => _data.GetRunAsync(runId, cancellationToken);

    public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) => _data.GetAttemptsAsync(runId, cancellationToken);

    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => _data.ListRunsAsync(query, cancellationToken);

    public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) => _data.GetRunFactsAsync(query, cancellationToken);

    public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => _data.DeleteRunsBeforeAsync(cutoff, cancellationToken);
}

/// <summary>What <see cref="FakeBatchStore"/> throws for a write it refuses.</summary>
internal sealed class RefusedException(string message) : Exception(message);
