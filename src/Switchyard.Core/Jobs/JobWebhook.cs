namespace Switchyard.Jobs;

/// <summary>A job's webhook: where completion is posted, with which secret, and whether each item is announced too.</summary>
/// <param name="Url">An absolute http(s) URL.</param>
/// <param name="ProtectedSecret">The job's <c>whsec_</c> secret, encrypted at rest (never stored as plain text); null signs with the key's secret.</param>
/// <param name="PerItem">Whether each finished item is announced (<c>job.item.completed</c>) as well.</param>
public sealed record JobWebhook(Uri Url, string? ProtectedSecret, bool PerItem);
