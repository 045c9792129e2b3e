namespace Switchyard.Jobs;

/// <summary>A completion webhook that must be handed to the outbox: a finished job, or a finished item of a per-item job.</summary>
/// <param name="JobId">The job.</param>
/// <param name="ItemId">The item for <c>job.item.completed</c>; null for <c>job.completed</c>.</param>
/// <param name="Token">The fencing token of this claim on the notification.</param>
public sealed record WebhookDue(string JobId, string? ItemId, string Token);
