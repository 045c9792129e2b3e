namespace Switchyard.Jobs;

/// <summary>The contract's snake_case names of job and item statuses, and the reasons the jobs part writes.</summary>
public static class JobWire
{
    /// <summary>The reason of an item skipped because an item it depends on did not succeed.</summary>
    public const string DependencyFailed = "dependency_failed";

    /// <summary>The reason of an item cancelled with its job.</summary>
    public const string Cancelled = "cancelled";

    /// <summary>The reason of an item whose lease ran out on its last attempt (the worker stopped or crashed).</summary>
    public const string LeaseExpired = "lease_expired";

    /// <summary>The wire name of a job status.</summary>
    public static string ToWire(this JobStatus value) => value switch
    {
        JobStatus.Queued => "queued",
        JobStatus.Running => "running",
        JobStatus.Succeeded => "succeeded",
        JobStatus.PartiallySucceeded => "partially_succeeded",
        JobStatus.Failed => "failed",
        JobStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of an item status.</summary>
    public static string ToWire(this JobItemStatus value) => value switch
    {
        JobItemStatus.Waiting => "waiting",
        JobItemStatus.Queued => "queued",
        JobItemStatus.Running => "running",
        JobItemStatus.Succeeded => "succeeded",
        JobItemStatus.Failed => "failed",
        JobItemStatus.Skipped => "skipped",
        JobItemStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>Reads a stored job status.</summary>
    /// <exception cref="FormatException">The text is not a job status.</exception>
    public static JobStatus ParseJobStatus(string text) => text switch
    {
        "queued" => JobStatus.Queued,
        "running" => JobStatus.Running,
        "succeeded" => JobStatus.Succeeded,
        "partially_succeeded" => JobStatus.PartiallySucceeded,
        "failed" => JobStatus.Failed,
        "cancelled" => JobStatus.Cancelled,
        _ => throw new FormatException($"'{text}' is not a job status."),
    };

    /// <summary>Reads a stored item status.</summary>
    /// <exception cref="FormatException">The text is not an item status.</exception>
    public static JobItemStatus ParseItemStatus(string text) => text switch
    {
        "waiting" => JobItemStatus.Waiting,
        "queued" => JobItemStatus.Queued,
        "running" => JobItemStatus.Running,
        "succeeded" => JobItemStatus.Succeeded,
        "failed" => JobItemStatus.Failed,
        "skipped" => JobItemStatus.Skipped,
        "cancelled" => JobItemStatus.Cancelled,
        _ => throw new FormatException($"'{text}' is not a job item status."),
    };

    /// <summary>Whether an item in this status is finished for good.</summary>
    public static bool IsTerminal(this JobItemStatus status) =>
        status is JobItemStatus.Succeeded or JobItemStatus.Failed or JobItemStatus.Skipped or JobItemStatus.Cancelled;

    /// <summary>Whether a job in this status is finished for good.</summary>
    public static bool IsTerminal(this JobStatus status) =>
        status is JobStatus.Succeeded or JobStatus.PartiallySucceeded or JobStatus.Failed or JobStatus.Cancelled;
}
