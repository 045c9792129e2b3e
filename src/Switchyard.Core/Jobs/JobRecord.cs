namespace Switchyard.Jobs;

/// <summary>A stored job, without its items.</summary>
public sealed record JobRecord
{
    /// <summary>The job id.</summary>
    public required string Id { get; init; }

    /// <summary>The key that owns it.</summary>
    public required string OwnerKeyId { get; init; }

    /// <summary>The client's idempotency key, if any.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>The hash of the submitted body.</summary>
    public required string RequestHash { get; init; }

    /// <summary>
    /// The stored status: <see cref="JobStatus.Queued"/> until finished, then the final status. Whether a
    /// job is running is read from its items (see <see cref="JobCounts.Status"/>), so claiming an item never touches the job row.
    /// </summary>
    public required JobStatus Status { get; init; }

    /// <summary>Whether a cancel was asked for.</summary>
    public bool CancelRequested { get; init; }

    /// <summary>When it was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When its last item finished.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The shared context of image prompts.</summary>
    public string? Context { get; init; }

    /// <summary>The webhook, if any.</summary>
    public JobWebhook? Webhook { get; init; }

    /// <summary>Whether the <c>job.completed</c> webhook was handed to the outbox.</summary>
    public bool CompletionWebhookSent { get; init; }
}
