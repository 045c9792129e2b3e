namespace Switchyard.Ledger;

/// <summary>The record of every run and attempt. Implementations are durable and never drop a record silently.</summary>
public interface ILedger
{
    /// <summary>Records a run that has just started.</summary>
    ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>
    /// Records an attempt; a record with the same run and seq replaces the earlier one's outcome (started, then its
    /// end), while where and when the attempt was made (tier, retry, provider, provider type, model, start time) stay as
    /// first recorded.
    /// </summary>
    ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken);

    /// <summary>
    /// Records how a run ended: replaces the started record's fields, except its start time, key, job and item, which
    /// stay as the start recorded them (a run without a recorded start is stored whole).
    /// </summary>
    ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>One run, or null.</summary>
    ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>A run's attempts in order.</summary>
    ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Runs matching the query, newest first, at most <see cref="RunQuery.Limit"/>.</summary>
    ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);

    /// <summary>The facts stats are computed from: one row per run started in the window (finished or not).</summary>
    ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes runs (and their attempts) started before <paramref name="cutoff"/>; returns how many runs.</summary>
    ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}

