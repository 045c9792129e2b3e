using Switchyard.Generation;

namespace Switchyard.Jobs;

/// <summary>A stored item of a job, with its attempts and result.</summary>
public sealed record JobItemRecord
{
    /// <summary>The job.</summary>
    public required string JobId { get; init; }

    /// <summary>The item's id within the job.</summary>
    public required string ItemId { get; init; }

    /// <summary>Its position in the submitted list (from 0).</summary>
    public required int Seq { get; init; }

    /// <summary>What it generates.</summary>
    public required Modality Type { get; init; }

    /// <summary>The route it runs on.</summary>
    public required string Route { get; init; }

    /// <summary>The owner key of its job.</summary>
    public required string OwnerKeyId { get; init; }

    /// <summary>The item's request as submitted (JSON).</summary>
    public required string Spec { get; init; }

    /// <summary>The earlier items it needs.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];

    /// <summary>Where it stands.</summary>
    public required JobItemStatus Status { get; init; }

    /// <summary>How many times it was claimed (attempts started).</summary>
    public int Attempts { get; init; }

    /// <summary>The run id of each attempt, in order; the ledger has them with this job and item.</summary>
    public IReadOnlyList<string> RunIds { get; init; } = [];

    /// <summary>The text output (text items).</summary>
    public string? OutputText { get; init; }

    /// <summary>The stored artifacts (image and speech items).</summary>
    public IReadOnlyList<string> ArtifactIds { get; init; } = [];

    /// <summary>
    /// Why it failed or did not run: an error class (<c>timeout</c>, <c>invalid_request</c>…), <c>dependency_failed</c>,
    /// <c>cancelled</c> or <c>lease_expired</c>; on a queued item after a failed attempt, that attempt's class.
    /// </summary>
    public string? ErrorClass { get; init; }

    /// <summary>What happened, in words.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>When a queued item may be claimed (later than now while waiting out a retry delay).</summary>
    public required DateTimeOffset AvailableAt { get; init; }

    /// <summary>When the current lease runs out (running items).</summary>
    public DateTimeOffset? LeaseExpiresAt { get; init; }

    /// <summary>When it finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }
}
