namespace Switchyard.Jobs;

/// <summary>
/// Durable jobs and their items (SQLite or PostgreSQL), safe for several worker processes on one database: items are
/// claimed under a lease with a fencing token, so each item is completed at most once, and a worker whose lease ran
/// out and was taken over cannot overwrite the new owner's result. Times come from the caller's clock.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Stores a job and its items (items without dependencies queued, the others waiting). When the owner already has
    /// a job under the same idempotency key, nothing is stored and that job is returned, flagged as a conflict when its
    /// body hash differs.
    /// </summary>
    ValueTask<JobCreateResult> CreateAsync(NewJob job, CancellationToken cancellationToken);

    /// <summary>The job, or null.</summary>
    ValueTask<JobRecord?> GetAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Jobs matching <paramref name="query"/>, newest first (by id: job ids sort by submission time), each with its
    /// items counted per status.
    /// </summary>
    ValueTask<IReadOnlyList<JobSummary>> ListAsync(JobQuery query, CancellationToken cancellationToken);

    /// <summary>The job's items in submitted order (empty for an unknown job).</summary>
    ValueTask<IReadOnlyList<JobItemRecord>> GetItemsAsync(string jobId, CancellationToken cancellationToken);

    /// <summary>
    /// Claims the next item to run: a queued item whose retry delay is over, or a running item whose lease ran out
    /// with attempts left, oldest first, skipping busy routes and keys. Counts the attempt and appends the run id.
    /// Null when there is nothing to claim.
    /// </summary>
    ValueTask<JobLease?> ClaimAsync(JobClaim claim, CancellationToken cancellationToken);

    /// <summary>Extends a lease to <paramref name="now"/> + <paramref name="duration"/>; false when it was lost.</summary>
    ValueTask<bool> RenewAsync(JobLease lease, DateTimeOffset now, TimeSpan duration, CancellationToken cancellationToken);

    /// <summary>
    /// Finishes the item (succeeded or failed for good), settles its dependents (queued, or skipped with
    /// <c>dependency_failed</c>), and finishes the job when it was the last open item. Refused when the lease was lost.
    /// </summary>
    ValueTask<ItemTransition> CompleteAsync(JobLease lease, ItemResult result, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Puts the item back in the queue after a failed attempt, claimable from <paramref name="availableAt"/>, keeping
    /// the attempt's error; a cancelled job's item is cancelled instead. Refused when the lease was lost.
    /// </summary>
    ValueTask<ItemTransition> RetryAsync(JobLease lease, ItemResult failure, DateTimeOffset availableAt, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the item back unfinished (the worker is shutting down): queued again at once and the attempt not counted;
    /// a cancelled job's item is cancelled instead. Refused when the lease was lost.
    /// </summary>
    ValueTask<ItemTransition> ReleaseAsync(JobLease lease, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Fails, with reason <c>lease_expired</c>, running items whose lease ran out on their last attempt (the worker
    /// crashed or hung each time), settling their dependents and jobs. Returns how many.
    /// </summary>
    ValueTask<int> FailExpiredAsync(DateTimeOffset now, int maxAttempts, CancellationToken cancellationToken);

    /// <summary>
    /// Asks to cancel the job: waiting and queued items are cancelled at once, running ones finish; the job is
    /// cancelled when its last item is done. Returns the job afterwards, or null when there is no such job.
    /// </summary>
    ValueTask<JobRecord?> CancelAsync(string jobId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The queue's depth and the age of its oldest available item.</summary>
    ValueTask<JobQueueStats> GetQueueStatsAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="limit"/> completion webhooks not yet handed to the outbox (finished jobs with a
    /// webhook, finished items of per-item jobs), each for <paramref name="lease"/>; one whose claim ran out
    /// (the process died before marking it sent) is claimed again.
    /// </summary>
    ValueTask<IReadOnlyList<WebhookDue>> ClaimWebhooksAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken cancellationToken);

    /// <summary>Marks a claimed webhook as handed to the outbox; false when the claim was lost (it is not sent twice).</summary>
    ValueTask<bool> MarkWebhookSentAsync(WebhookDue due, CancellationToken cancellationToken);
}
