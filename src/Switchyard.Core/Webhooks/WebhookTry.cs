namespace Switchyard.Webhooks;

/// <summary>One try of a delivery: one POST (or a refusal to post), in order.</summary>
public sealed record WebhookTry
{
    /// <summary>Its number within the delivery, from 1.</summary>
    public int Seq { get; init; }

    /// <summary>When it started; the <c>webhook-timestamp</c> it was signed with.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long it took, in milliseconds.</summary>
    public double? DurationMs { get; init; }

    /// <summary>The receiver's HTTP status, when it answered.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>Why it failed (never a secret); null when delivered.</summary>
    public string? Error { get; init; }

    /// <summary>What it came to.</summary>
    public required WebhookTryResult Result { get; init; }
}
