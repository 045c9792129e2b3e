namespace Switchyard.Configuration;

/// <summary>The <c>alerts</c> section: rules evaluated in-process over sliding windows of recent runs.</summary>
public sealed record AlertsConfig
{
    /// <summary>Where transitions are posted, or null when webhooks are off (no URL, or its secret is missing).</summary>
    public AlertWebhookConfig? Webhook { get; init; }

    /// <summary>How often the rules are evaluated.</summary>
    public TimeSpan EvaluateEvery { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Fewer runs than this in a rule's window give no verdict (the rule neither fires nor stays firing).</summary>
    public int MinRuns { get; init; } = 20;

    /// <summary>Rules by name.</summary>
    public IReadOnlyDictionary<string, AlertRuleConfig> Rules { get; init; } = new Dictionary<string, AlertRuleConfig>();

    /// <summary>Environment variables the section references that are missing or empty (the webhook is then off).</summary>
    public IReadOnlyList<string> MissingSecrets { get; init; } = [];
}
