using System.Text.Json;

namespace Switchyard.Webhooks;

/// <summary>
/// One event to deliver to a receiver in the Standard Webhooks scheme. The outbox wraps
/// <see cref="Data"/> as <c>{"type": EventType, "timestamp": ..., "data": Data}</c>, fixes that body
/// at enqueue time (so every retry and re-send carries the same bytes and the same
/// <c>webhook-id</c>), and signs each try with a fresh timestamp.
/// </summary>
public sealed record WebhookMessage
{
    /// <summary>The key that owns the delivery (only it, or an admin, may read and re-send it); null for server events such as alerts.</summary>
    public string? OwnerKeyId { get; init; }

    /// <summary>Where to POST; it passes the outbound SSRF guard on every try.</summary>
    public required Uri Url { get; init; }

    /// <summary>An explicit <c>whsec_</c> secret (e.g. the job's <c>webhook.secret</c>); null signs with the owner key's webhook secret.</summary>
    public string? Secret { get; init; }

    /// <summary>
    /// A secret kept elsewhere and looked up at every try instead of being stored, as <c>config:NAME</c>
    /// (<c>config:alerts</c> is <c>alerts.webhook.secret</c>); used when <see cref="Secret"/> is null.
    /// </summary>
    public string? SecretReference { get; init; }

    /// <summary>The event type, e.g. <c>job.completed</c>, <c>job.item.completed</c>, <c>alert.firing</c>.</summary>
    public required string EventType { get; init; }

    /// <summary>What the event is about (a job id, an alert name), for listing deliveries.</summary>
    public required string SubjectId { get; init; }

    /// <summary>
    /// A delivery id chosen by the caller (see <see cref="WebhookOutbox.StableId"/>) that makes enqueueing
    /// idempotent: a message whose id is already stored is not stored again, so an event handed over
    /// twice (a crash between enqueueing and recording that it was enqueued) is delivered once. Null: a new id.
    /// </summary>
    public string? DeliveryId { get; init; }

    /// <summary>The event's data object.</summary>
    public required JsonElement Data { get; init; }
}
