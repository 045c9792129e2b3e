namespace Switchyard.Jobs;

/// <summary>Where a job stands; its wire names are <c>queued</c>, <c>running</c>, <c>succeeded</c>, <c>partially_succeeded</c>, <c>failed</c>, <c>cancelled</c>.</summary>
public enum JobStatus
{
    /// <summary>No item has started yet.</summary>
    Queued,

    /// <summary>Some item has started and some item is not finished.</summary>
    Running,

    /// <summary>Every item succeeded.</summary>
    Succeeded,

    /// <summary>Some items succeeded, others failed or were skipped.</summary>
    PartiallySucceeded,

    /// <summary>No item succeeded.</summary>
    Failed,

    /// <summary>The job was cancelled; items that had not started were cancelled.</summary>
    Cancelled,
}
