using Switchyard.Ledger;

namespace Switchyard.Hosting;

/// <summary>
/// A ledger that keeps nothing: the baseline of <c>bench/ledger</c>, selected by <c>SWITCHYARD_BENCH_NO_LEDGER=1</c>;
/// with <c>=queue</c> it is the store behind the real <see cref="BufferedLedger"/>, to tell the queue's cost from the store's.
/// </summary>
internal sealed class BenchNoLedger : ILedger, ILedgerBatchWriter
{
    public ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public bool IsRejection(Exception exception) => false;

    public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => ValueTask.FromResult<RunRecord?>(null);

    public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<AttemptRecord>>([]);

    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<RunRecord>>([]);

    public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<RunFacts>>([]);

    public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => ValueTask.FromResult(0);
}
