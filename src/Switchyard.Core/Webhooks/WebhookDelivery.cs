namespace Switchyard.Webhooks;

/// <summary>
/// One stored webhook delivery: the message exactly as it will be posted (its id, which is also its
/// <c>webhook-id</c>, and its body bytes are fixed at enqueue time), how it is signed, and how its
/// tries went. It never holds a secret in plain text: <see cref="SecretRef"/> names or encrypts it.
/// </summary>
public sealed record WebhookDelivery
{
    /// <summary><c>msg_</c> + 32 hex digits (a version 7 GUID, so ids sort by creation time); also the <c>webhook-id</c> header.</summary>
    public required string Id { get; init; }

    /// <summary>The key that owns it (it and admin keys may read and re-send it); null for server events such as alerts.</summary>
    public string? OwnerKeyId { get; init; }

    /// <summary>Where it is posted.</summary>
    public required string Url { get; init; }

    /// <summary>The event type, e.g. <c>job.completed</c>.</summary>
    public required string EventType { get; init; }

    /// <summary>What the event is about (a job id, an alert rule).</summary>
    public required string SubjectId { get; init; }

    /// <summary>The exact body: the Standard Webhooks envelope <c>{"type","timestamp","data"}</c>.</summary>
    public required byte[] Body { get; init; }

    /// <summary>How to find the signing secret at send time (see <see cref="WebhookSecrets"/>): never the secret itself.</summary>
    public required string SecretRef { get; init; }

    /// <summary>Where it stands.</summary>
    public WebhookDeliveryStatus Status { get; init; } = WebhookDeliveryStatus.Pending;

    /// <summary>Tries made so far, over its whole life (re-sends included).</summary>
    public int Tries { get; init; }

    /// <summary>Tries made since it was enqueued or last re-sent: the retry schedule and <c>webhooks.max_tries</c> count these.</summary>
    public int RoundTries { get; init; }

    /// <summary>When a pending delivery is tried next (while a node holds its lease: when the lease ends); null once it is delivered or failed.</summary>
    public DateTimeOffset? NextTryAt { get; init; }

    /// <summary>The HTTP status of the last try that got an answer.</summary>
    public int? LastHttpStatus { get; init; }

    /// <summary>Why the last try failed (never a secret); null after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>When it was enqueued.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the receiver accepted it.</summary>
    public DateTimeOffset? DeliveredAt { get; init; }
}
