namespace Switchyard.Ledger;

/// <summary>The record of every run and attempt. Implementations are durable and never drop a record silently.</summary>
public interface ILedger
{
    /// <summary>Records a run that has just started.</summary>
    ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>Records an attempt; a record with the same run and seq replaces the earlier one (started, then its end).</summary>
    ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken);

    /// <summary>Records how a run ended (replaces the started record's fields).</summary>
    ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken);

    /// <summary>One run, or null.</summary>
    ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken);

    /// <summary>A run's attempts in order.</summary>
    ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken);

    /// <summary>Runs matching the query, newest first.</summary>
    ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken);
}

/// <summary>A filter over runs.</summary>
public sealed record RunQuery
{
    /// <summary>Only runs of this key.</summary>
    public string? KeyId { get; init; }

    /// <summary>Only runs started at or after.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only this outcome (success, degraded, failed).</summary>
    public Generation.RunOutcome? Outcome { get; init; }

    /// <summary>Only this route.</summary>
    public string? Route { get; init; }

    /// <summary>Only runs served by this provider.</summary>
    public string? Provider { get; init; }

    /// <summary>At most this many.</summary>
    public int Limit { get; init; } = 100;
}
