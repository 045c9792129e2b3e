namespace Switchyard.Webhooks;

/// <summary>Where a webhook delivery stands.</summary>
public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its next try (or being tried right now).</summary>
    Pending,

    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>The receiver refused it, or every try failed; <see cref="WebhookDelivery.LastError"/> says why.</summary>
    Failed,
}
