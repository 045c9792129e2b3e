namespace Switchyard.Webhooks;

/// <summary>A filter over deliveries; every filter given must match; the page is newest first.</summary>
public sealed record WebhookDeliveryQuery
{
    /// <summary>Only deliveries owned by this key (a client key's view); null: every owner, server events included (an admin's view).</summary>
    public string? OwnerKeyId { get; init; }

    /// <summary>Only this subject (a job id, an alert rule).</summary>
    public string? SubjectId { get; init; }

    /// <summary>Only this status.</summary>
    public WebhookDeliveryStatus? Status { get; init; }

    /// <summary>Only this event type.</summary>
    public string? EventType { get; init; }

    /// <summary>Continue after this delivery: the id of the last one of the previous page (ids sort by creation time).</summary>
    public string? After { get; init; }

    /// <summary>At most this many.</summary>
    public int Limit { get; init; } = 50;
}
