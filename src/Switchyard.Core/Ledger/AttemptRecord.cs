using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>One call (or skipped call) to one provider within a run.</summary>
public sealed record AttemptRecord
{
    /// <summary>The run it belongs to.</summary>
    public required string RunId { get; init; }

    /// <summary>Its place in the run, from 1. With <see cref="RunId"/>, its identity: a later write replaces the earlier.</summary>
    public required int Seq { get; init; }

    /// <summary>The route tier, from 0.</summary>
    public required int Tier { get; init; }

    /// <summary>0 for the first try on this tier, then 1, 2…</summary>
    public int Retry { get; init; }

    /// <summary>The provider's name.</summary>
    public required string Provider { get; init; }

    /// <summary>The provider's type.</summary>
    public required string ProviderType { get; init; }

    /// <summary>The model.</summary>
    public string? Model { get; init; }

    /// <summary>started, success, failed or skipped.</summary>
    public required AttemptStatus Status { get; init; }

    /// <summary>For failed attempts.</summary>
    public ErrorClass? ErrorClass { get; init; }

    /// <summary>For skipped attempts.</summary>
    public SkipReason? SkipReason { get; init; }

    /// <summary>The upstream HTTP status.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The provider's or our error code.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>What happened, redacted.</summary>
    public string? Message { get; init; }

    /// <summary>The step reached: validate, send, receive, download, store.</summary>
    public string? Step { get; init; }

    /// <summary>When it started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it took.</summary>
    public double? DurationMs { get; init; }

    /// <summary>Output bytes.</summary>
    public long? Bytes { get; init; }

    /// <summary>The estimated cost of this attempt in US dollars, from the config's price table (null: no price known).</summary>
    public decimal? CostUsd { get; init; }
}
