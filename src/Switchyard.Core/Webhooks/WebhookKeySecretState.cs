namespace Switchyard.Webhooks;

/// <summary>
/// Which generation of a key's webhook secret is current, and the previous one while its overlap
/// lasts. The secrets themselves are derived from the generation and never stored.
/// </summary>
public sealed record WebhookKeySecretState
{
    /// <summary>The key.</summary>
    public required string KeyId { get; init; }

    /// <summary>The current generation: 0 until the first rotation.</summary>
    public int Generation { get; init; }

    /// <summary>The generation before the last rotation, still signed with until <see cref="PreviousUntil"/>.</summary>
    public int? PreviousGeneration { get; init; }

    /// <summary>When the previous generation stops being signed with.</summary>
    public DateTimeOffset? PreviousUntil { get; init; }

    /// <summary>When it was last rotated; null before the first rotation.</summary>
    public DateTimeOffset? RotatedAt { get; init; }
}
