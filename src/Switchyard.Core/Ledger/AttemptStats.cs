namespace Switchyard.Ledger;

/// <summary>What a stats group's attempts did: made, succeeded, failed, skipped, and how long the made ones took.</summary>
public sealed record AttemptStats
{
    /// <summary>Every attempt, made or skipped.</summary>
    public required int Count { get; init; }

    /// <summary>Attempts that returned usable output.</summary>
    public required int Success { get; init; }

    /// <summary>Attempts that failed (the error class says how).</summary>
    public required int Failed { get; init; }

    /// <summary>Attempts not made (the skip reason says why).</summary>
    public required int Skipped { get; init; }

    /// <summary>Attempts still running (or lost in a crash).</summary>
    public required int Started { get; init; }

    /// <summary><see cref="Success"/> / <see cref="Count"/>; null without attempts.</summary>
    public double? SuccessRate => Rate(Success);

    /// <summary><see cref="Failed"/> / <see cref="Count"/>; null without attempts.</summary>
    public double? FailedRate => Rate(Failed);

    /// <summary><see cref="Skipped"/> / <see cref="Count"/>; null without attempts.</summary>
    public double? SkippedRate => Rate(Skipped);

    /// <summary>Percentiles of the finished (succeeded or failed) attempts' durations.</summary>
    public required LatencyPercentiles LatencyMs { get; init; }

    private double? Rate(int part) => Count == 0 ? null : (double)part / Count;
}
