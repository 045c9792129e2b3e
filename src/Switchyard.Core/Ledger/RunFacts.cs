using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>What stats need of one run: its groups, outcome, latency and what its attempts met.</summary>
public sealed record RunFacts
{
    /// <summary>The run id.</summary>
    public required string RunId { get; init; }

    /// <summary>When the run started (what the dashboard's time series are bucketed by).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>The key id.</summary>
    public string? KeyId { get; init; }

    /// <summary>The route.</summary>
    public required string Route { get; init; }

    /// <summary>The preset.</summary>
    public string? Preset { get; init; }

    /// <summary>The outcome; null while running.</summary>
    public RunOutcome? Outcome { get; init; }

    /// <summary>The serving provider.</summary>
    public string? ServedProvider { get; init; }

    /// <summary>The serving model.</summary>
    public string? ServedModel { get; init; }

    /// <summary>The serving tier.</summary>
    public int? ServedTier { get; init; }

    /// <summary>The run's error class when it failed.</summary>
    public ErrorClass? ErrorClass { get; init; }

    /// <summary>Total duration.</summary>
    public double? DurationMs { get; init; }

    /// <summary>Whether the cache served it.</summary>
    public bool CacheHit { get; init; }

    /// <summary>Its estimated cost.</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Each attempt's provider, model, status, error class and skip reason, in order.</summary>
    public required IReadOnlyList<AttemptFacts> Attempts { get; init; }
}

/// <summary>What stats need of one attempt.</summary>
/// <param name="Provider">The provider.</param>
/// <param name="Model">The model.</param>
/// <param name="Status">Its status.</param>
/// <param name="ErrorClass">Its error class when failed.</param>
/// <param name="SkipReason">Its skip reason when skipped.</param>
/// <param name="DurationMs">Its duration.</param>
public sealed record AttemptFacts(string Provider, string? Model, AttemptStatus Status, ErrorClass? ErrorClass, SkipReason? SkipReason, double? DurationMs);
