using System.Collections.Concurrent;
using Switchyard.Ledger;

namespace Switchyard.Core.Tests.Fakes;

/// <summary>A ledger in memory that keeps every write, for engine unit tests (the real stores have their own suite).</summary>
internal sealed class InMemoryLedger : ILedger
{
    private readonly ConcurrentDictionary<string, RunRecord> _runs = new();
    private readonly ConcurrentDictionary<(string, int), AttemptRecord> _attempts = new();

    public ConcurrentQueue<AttemptRecord> AttemptWrites { get; } = new();

    public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        _runs[run.Id] = run;
        return ValueTask.CompletedTask;
    }

    public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken)
    {
        AttemptWrites.Enqueue(attempt);
        _attempts[(attempt.RunId, attempt.Seq)] = attempt;
        return ValueTask.CompletedTask;
    }

    public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken)
    {
        _runs[run.Id] = run;
        return ValueTask.CompletedTask;
    }

    public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_runs.GetValueOrDefault(runId));

    public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<AttemptRecord>>([.. _attempts.Values.Where(a => a.RunId == runId).OrderBy(a => a.Seq)]);

    public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<RunRecord>>([.. _runs.Values.OrderByDescending(r => r.StartedAt).Take(query.Limit)]);

    public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) =>
        ValueTask.FromResult<IReadOnlyList<RunFacts>>([.. _runs.Values.Where(r => r.StartedAt >= query.Since).Select(r => new RunFacts
        {
            RunId = r.Id,
            KeyId = r.KeyId,
            Route = r.Route,
            Preset = r.Preset,
            Outcome = r.Outcome,
            ServedProvider = r.ServedProvider,
            ServedModel = r.ServedModel,
            ServedTier = r.ServedTier,
            ErrorClass = r.ErrorClass,
            DurationMs = r.DurationMs,
            Attempts = [.. _attempts.Values.Where(a => a.RunId == r.Id).OrderBy(a => a.Seq).Select(a => new AttemptFacts(a.Provider, a.Model, a.Status, a.ErrorClass, a.SkipReason, a.DurationMs))],
        })]);

    public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var old = _runs.Values.Where(r => r.StartedAt < cutoff).Select(r => r.Id).ToList();
        foreach (var id in old)
        {
            _runs.TryRemove(id, out _);
        }

        return ValueTask.FromResult(old.Count);
    }
}
