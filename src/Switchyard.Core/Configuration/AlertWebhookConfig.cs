namespace Switchyard.Configuration;

/// <summary>The <c>alerts.webhook</c> section: where firing and resolved alerts are posted.</summary>
public sealed record AlertWebhookConfig
{
    /// <summary>The receiver's http(s) URL.</summary>
    public required Uri Url { get; init; }

    /// <summary>The Standard Webhooks signing secret (<c>whsec_</c> + base64), read from an environment variable.</summary>
    public required Secret Secret { get; init; }
}
