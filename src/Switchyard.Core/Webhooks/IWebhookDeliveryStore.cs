namespace Switchyard.Webhooks;

/// <summary>
/// Where webhook deliveries and their tries are kept, shared by every node. Due deliveries are
/// claimed under a lease, so several nodes never post the same try at once: a claim moves the
/// delivery's <see cref="WebhookDelivery.NextTryAt"/> to the lease's end and tags it with a token,
/// and only the holder of that token can record the try. A node that dies mid-try leaves the
/// delivery to be claimed again when the lease ends.
/// </summary>
public interface IWebhookDeliveryStore
{
    /// <summary>Stores a new delivery (pending, no tries, due at its <see cref="WebhookDelivery.NextTryAt"/>).</summary>
    ValueTask AddAsync(WebhookDelivery delivery, CancellationToken cancellationToken);

    /// <summary>
    /// Claims up to <paramref name="max"/> pending deliveries due at <paramref name="now"/> (earliest first) under a lease
    /// until <paramref name="leaseUntil"/> held by <paramref name="leaseToken"/>; returns them as claimed.
    /// </summary>
    ValueTask<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, string leaseToken, int max, CancellationToken cancellationToken);

    /// <summary>
    /// Records a try of a delivery claimed with <paramref name="leaseToken"/> and releases the lease: a
    /// <see cref="WebhookTryResult.Delivered"/> try makes it delivered, <see cref="WebhookTryResult.Retry"/> keeps it pending until
    /// <paramref name="nextTryAt"/>, <see cref="WebhookTryResult.Failed"/> makes it failed. False (nothing recorded) when the lease
    /// is no longer this token's (it ran out and another node claimed the delivery, or it was re-sent).
    /// </summary>
    ValueTask<bool> CompleteTryAsync(string id, string leaseToken, WebhookTry attempt, DateTimeOffset? nextTryAt, CancellationToken cancellationToken);

    /// <summary>
    /// Queues a delivery again with the same id and body: a delivered or failed one becomes pending with a fresh round of
    /// tries, a pending one is made due now; one being tried at this moment (leased) is left as it is. Null when there is no such delivery.
    /// </summary>
    ValueTask<WebhookDelivery?> ResendAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>One delivery, or null.</summary>
    ValueTask<WebhookDelivery?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>A delivery's tries in order.</summary>
    ValueTask<IReadOnlyList<WebhookTry>> GetTriesAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deliveries matching the query, newest first, at most <see cref="WebhookDeliveryQuery.Limit"/>.</summary>
    ValueTask<IReadOnlyList<WebhookDelivery>> ListAsync(WebhookDeliveryQuery query, CancellationToken cancellationToken);
}
