namespace Switchyard.Webhooks;

/// <summary>What one try of a delivery came to (also the <c>result</c> of the deliveries metric).</summary>
public enum WebhookTryResult
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>It failed in a way another try could fix; the delivery waits for its next try.</summary>
    Retry,

    /// <summary>It failed for good: the receiver refused it, the guard refused the URL, or the tries ran out.</summary>
    Failed,
}
