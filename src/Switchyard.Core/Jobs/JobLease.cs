namespace Switchyard.Jobs;

/// <summary>
/// A claimed item: the item as it was claimed, and the lease's fencing token. Every later write about the item
/// (renew, complete, retry, release) names the token, and is refused once another worker has claimed the item again.
/// </summary>
/// <param name="Item">The item, status <see cref="JobItemStatus.Running"/>, with this attempt counted and its run id appended.</param>
/// <param name="Token">The lease's fencing token, unique per claim.</param>
/// <param name="RunId">The run id of this attempt.</param>
public sealed record JobLease(JobItemRecord Item, string Token, string RunId)
{
    /// <summary>The job.</summary>
    public string JobId => Item.JobId;

    /// <summary>The item.</summary>
    public string ItemId => Item.ItemId;
}
