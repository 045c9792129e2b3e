using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>A filter over runs. Every filter given must match; the page is newest first.</summary>
public sealed record RunQuery
{
    /// <summary>Only runs of this key.</summary>
    public string? KeyId { get; init; }

    /// <summary>Only runs started at or after.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only runs started before.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only this outcome (success, degraded, failed).</summary>
    public RunOutcome? Outcome { get; init; }

    /// <summary>Only runs with an attempt that failed with this class, or that failed with it before any attempt.</summary>
    public ErrorClass? ErrorClass { get; init; }

    /// <summary>Only runs with an attempt skipped for this reason.</summary>
    public SkipReason? SkipReason { get; init; }

    /// <summary>Only this route.</summary>
    public string? Route { get; init; }

    /// <summary>Only this preset.</summary>
    public string? Preset { get; init; }

    /// <summary>Only runs in which this provider was attempted or skipped (not only the one that served).</summary>
    public string? Provider { get; init; }

    /// <summary>Only runs in which this model was attempted or skipped.</summary>
    public string? Model { get; init; }

    /// <summary>Continue after this run: the id of the last run of the previous page (runs ids sort by start time).</summary>
    public string? After { get; init; }

    /// <summary>At most this many.</summary>
    public int Limit { get; init; } = 100;
}
