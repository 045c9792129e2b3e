namespace Switchyard.Configuration;

/// <summary>The <c>webhooks</c> section: how deliveries are tried.</summary>
public sealed record WebhooksConfig
{
    /// <summary>The time one try (one POST) may take before it counts as failed and is retried.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Tries per delivery (and per re-send), counting the first; the default follows the Standard Webhooks schedule's eight.</summary>
    public int MaxTries { get; init; } = 8;

    /// <summary>How often the dispatcher looks for due deliveries (a delivery enqueued on this node is tried at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Deliveries posted at once by one node.</summary>
    public int Concurrency { get; init; } = 4;
}
