namespace Switchyard.Jobs;

/// <summary>What a fenced write about a claimed item did.</summary>
/// <param name="Accepted">False when the lease was lost (another worker claimed the item again, or it was finished): nothing was written.</param>
/// <param name="ItemStatus">The item's status after the write.</param>
/// <param name="JobStatus">The job's status after the write, when it finished the job.</param>
public sealed record ItemTransition(bool Accepted, JobItemStatus? ItemStatus, JobStatus? JobStatus)
{
    /// <summary>Items the write skipped because they depend on this one (directly or not), for the metrics.</summary>
    public int Skipped { get; init; }

    /// <summary>The write was refused.</summary>
    public static ItemTransition Lost { get; } = new(false, null, null);
}
