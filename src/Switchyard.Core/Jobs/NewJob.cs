namespace Switchyard.Jobs;

/// <summary>A validated job as submitted, ready to be stored.</summary>
public sealed record NewJob
{
    /// <summary>The job id (<c>job_</c> + a time-ordered UUID).</summary>
    public required string Id { get; init; }

    /// <summary>The API key that submitted it and owns it.</summary>
    public required string OwnerKeyId { get; init; }

    /// <summary>The client's <c>Idempotency-Key</c>, unique per owner; null when none was sent.</summary>
    public string? IdempotencyKey { get; init; }

    /// <summary>A hash of the request body, to tell a retried submit from a different one under the same idempotency key.</summary>
    public required string RequestHash { get; init; }

    /// <summary>When it was submitted.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Shared text added to every image item's prompt (style guide, characters), or null.</summary>
    public string? Context { get; init; }

    /// <summary>Where completion is announced, or null.</summary>
    public JobWebhook? Webhook { get; init; }

    /// <summary>The items, in submitted order; an item depends only on earlier ones.</summary>
    public required IReadOnlyList<NewJobItem> Items { get; init; }
}
