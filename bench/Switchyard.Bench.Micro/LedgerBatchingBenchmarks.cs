using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Bench.Micro;

/// <summary>
/// <see cref="BufferedLedger"/> batching runs (start, one attempt, finish) into an in-memory batch writer: the cost
/// the request path pays to hand its records over, plus the queue and coalescing work of the background writer.
/// </summary>
[MemoryDiagnoser]
public class LedgerBatchingBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);
    private BufferedLedger _ledger = null!;
    private MemoryBatchWriter _writer = null!;
    private RunRecord[] _runs = null!;
    private AttemptRecord[] _attempts = null!;

    [Params(1_000)]
    public int Runs { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _writer = new MemoryBatchWriter();
        _ledger = new BufferedLedger(_writer, new BufferedLedgerOptions(), TimeProvider.System, NullLogger<BufferedLedger>.Instance);
        _runs = new RunRecord[Runs];
        _attempts = new AttemptRecord[Runs];
        for (var i = 0; i < Runs; i++)
        {
            var id = $"run_{i:x32}";
            _runs[i] = new RunRecord { Id = id, StartedAt = T0, Route = "chat", Modality = Modality.Text, RequestedModel = "chat", Endpoint = "chat.completions" };
            _attempts[i] = new AttemptRecord { RunId = id, Seq = 1, Tier = 1, Provider = "upstream", ProviderType = "openai-compatible", Status = AttemptStatus.Success, StartedAt = T0 };
        }
    }

    [GlobalCleanup]
    public async Task Cleanup() => await _ledger.DisposeAsync();

    [Benchmark(Description = "1,000 runs written and flushed")]
    public async Task WriteAndFlush()
    {
        for (var i = 0; i < _runs.Length; i++)
        {
            await _ledger.RunStartedAsync(_runs[i], CancellationToken.None);
            await _ledger.AttemptAsync(_attempts[i], CancellationToken.None);
            await _ledger.RunFinishedAsync(_runs[i], CancellationToken.None);
        }

        await _ledger.FlushAsync(CancellationToken.None);
    }

    /// <summary>Keeps only counts: the store's own cost is not what this measures.</summary>
    private sealed class MemoryBatchWriter : ILedger, ILedgerBatchWriter
    {
        public long Writes;

        public ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken)
        {
            Interlocked.Add(ref Writes, writes.Count);
            return ValueTask.CompletedTask;
        }

        public bool IsRejection(Exception exception) => false;

        public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => Count();

        public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken) => Count();

        public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => Count();

        public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => ValueTask.FromResult<RunRecord?>(null);

        public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<AttemptRecord>>([]);

        public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<RunRecord>>([]);

        public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) => ValueTask.FromResult<IReadOnlyList<RunFacts>>([]);

        public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken) => ValueTask.FromResult(0);

        private ValueTask Count()
        {
            Interlocked.Increment(ref Writes);
            return ValueTask.CompletedTask;
        }
    }
}
