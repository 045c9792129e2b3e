namespace Switchyard.Jobs;

/// <summary>A filter over jobs; every filter given must match; the page is newest first.</summary>
public sealed record JobQuery
{
    /// <summary>Only jobs owned by this key; null: every owner (an admin's view).</summary>
    public string? OwnerKeyId { get; init; }

    /// <summary>
    /// Only jobs in this status, as <see cref="JobCounts.Status"/> derives it: <see cref="JobStatus.Queued"/> (no item
    /// claimed yet) and <see cref="JobStatus.Running"/> are told apart by the items, the finished ones by the stored status.
    /// </summary>
    public JobStatus? Status { get; init; }

    /// <summary>Continue after this job: the id of the last one of the previous page (job ids sort by submission time).</summary>
    public string? After { get; init; }

    /// <summary>At most this many.</summary>
    public int Limit { get; init; } = 50;
}
