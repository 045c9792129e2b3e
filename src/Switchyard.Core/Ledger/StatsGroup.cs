using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>
/// The numbers of one group of runs (or of all runs, for the overall row). Rates are shares of the
/// finished runs; the fallback rate is the share of served runs served by a tier after the first.
/// </summary>
public sealed record StatsGroup
{
    /// <summary>The group's value (a route, provider, <c>provider/model</c>, preset, key id or error class); null for the overall row and for runs without one.</summary>
    public string? Group { get; init; }

    /// <summary>Runs in the group, finished or not.</summary>
    public required int Runs { get; init; }

    /// <summary>Runs not finished yet (or lost in a crash).</summary>
    public required int Running { get; init; }

    /// <summary>Runs served by the first usable tier.</summary>
    public required int Success { get; init; }

    /// <summary>Runs served by a later tier or the placeholder.</summary>
    public required int Degraded { get; init; }

    /// <summary>Runs not served.</summary>
    public required int Failed { get; init; }

    /// <summary>Served runs served by a tier after the first (tier &gt; 0).</summary>
    public required int FellBack { get; init; }

    /// <summary>Runs the result cache served.</summary>
    public required int CacheHits { get; init; }

    /// <summary>Runs that finished.</summary>
    public int Finished => Success + Degraded + Failed;

    /// <summary><see cref="Success"/> / <see cref="Finished"/>; null when none finished.</summary>
    public double? SuccessRate => Rate(Success, Finished);

    /// <summary><see cref="Degraded"/> / <see cref="Finished"/>; null when none finished.</summary>
    public double? DegradedRate => Rate(Degraded, Finished);

    /// <summary><see cref="Failed"/> / <see cref="Finished"/>; null when none finished.</summary>
    public double? FailedRate => Rate(Failed, Finished);

    /// <summary><see cref="FellBack"/> / served runs; null when none was served.</summary>
    public double? FallbackRate => Rate(FellBack, Success + Degraded);

    /// <summary>Percentiles of the finished runs' total durations.</summary>
    public required LatencyPercentiles LatencyMs { get; init; }

    /// <summary>
    /// What the group met: failed attempts per error class, plus runs that failed before any attempt failed
    /// (for example a rejected request: <c>invalid_request</c>), counted once under the run's class.
    /// </summary>
    public required IReadOnlyDictionary<ErrorClass, int> ErrorClasses { get; init; }

    /// <summary>Skipped attempts per skip reason.</summary>
    public required IReadOnlyDictionary<SkipReason, int> SkipReasons { get; init; }

    /// <summary>The group's attempts (for provider and model groups, only that provider's or model's own).</summary>
    public required AttemptStats Attempts { get; init; }

    /// <summary>The summed estimated cost of the group's runs in US dollars (for provider and model groups, of the runs they served); null when no run has a known cost.</summary>
    public decimal? CostUsd { get; init; }

    private static double? Rate(int part, int whole) => whole == 0 ? null : (double)part / whole;
}
