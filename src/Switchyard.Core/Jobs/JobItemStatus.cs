namespace Switchyard.Jobs;

/// <summary>Where one item of a job stands.</summary>
public enum JobItemStatus
{
    /// <summary>Waits for the items it depends on.</summary>
    Waiting,

    /// <summary>Ready to be claimed by a worker (possibly after a retry delay).</summary>
    Queued,

    /// <summary>Claimed by a worker under a lease.</summary>
    Running,

    /// <summary>Finished with an output.</summary>
    Succeeded,

    /// <summary>Finished without one, after its last attempt or a failure not worth retrying.</summary>
    Failed,

    /// <summary>Not run because an item it depends on did not succeed (reason <c>dependency_failed</c>).</summary>
    Skipped,

    /// <summary>Not run because the job was cancelled first.</summary>
    Cancelled,
}
