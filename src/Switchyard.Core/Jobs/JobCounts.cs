namespace Switchyard.Jobs;

/// <summary>How many items of a job are in each status, and the job status that follows from them.</summary>
public sealed record JobCounts
{
    /// <summary>Counts per item status (absent statuses are zero).</summary>
    public IReadOnlyDictionary<JobItemStatus, int> ByStatus { get; init; } = new Dictionary<JobItemStatus, int>();

    /// <summary>Whether any item was ever claimed.</summary>
    public bool AnyStarted { get; init; }

    /// <summary>The items of the job.</summary>
    public int Total => ByStatus.Values.Sum();

    /// <summary>The count of one status.</summary>
    public int this[JobItemStatus status] => ByStatus.TryGetValue(status, out var count) ? count : 0;

    /// <summary>Counts of the given items.</summary>
    public static JobCounts Of(IEnumerable<JobItemRecord> items)
    {
        var counts = new Dictionary<JobItemStatus, int>();
        var started = false;
        foreach (var item in items)
        {
            counts[item.Status] = counts.GetValueOrDefault(item.Status) + 1;
            started |= item.Attempts > 0;
        }

        return new JobCounts { ByStatus = counts, AnyStarted = started };
    }

    /// <summary>
    /// The job's status: <c>queued</c> until an item is claimed, <c>running</c> until every item is finished, then
    /// <c>cancelled</c> when a cancel was asked for, <c>succeeded</c> when every item succeeded, <c>failed</c> when none
    /// did, else <c>partially_succeeded</c>.
    /// </summary>
    public JobStatus Status(bool cancelRequested)
    {
        var open = this[JobItemStatus.Waiting] + this[JobItemStatus.Queued] + this[JobItemStatus.Running];
        if (open > 0)
        {
            return AnyStarted || this[JobItemStatus.Running] > 0 || open < Total ? JobStatus.Running : JobStatus.Queued;
        }

        if (cancelRequested)
        {
            return JobStatus.Cancelled;
        }

        var succeeded = this[JobItemStatus.Succeeded];
        return succeeded == Total ? JobStatus.Succeeded : succeeded == 0 ? JobStatus.Failed : JobStatus.PartiallySucceeded;
    }
}
