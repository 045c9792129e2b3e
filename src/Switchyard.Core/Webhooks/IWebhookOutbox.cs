namespace Switchyard.Webhooks;

/// <summary>
/// Durable webhook deliveries: a message enqueued here is stored before this returns, then posted
/// with retries and exponential backoff (over hours) until the receiver accepts it or the tries run
/// out; each delivery's status, tries and last error are recorded and it can be re-sent.
/// </summary>
public interface IWebhookOutbox
{
    /// <summary>Stores the message for delivery; returns its delivery id, which is also its <c>webhook-id</c>.</summary>
    ValueTask<string> EnqueueAsync(WebhookMessage message, CancellationToken cancellationToken);
}
