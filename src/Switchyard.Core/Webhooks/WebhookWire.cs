namespace Switchyard.Webhooks;

/// <summary>The stored and API names of the webhook enums.</summary>
public static class WebhookWire
{
    /// <summary><c>pending</c>, <c>delivered</c> or <c>failed</c>.</summary>
    public static string ToWire(this WebhookDeliveryStatus status) => status switch
    {
        WebhookDeliveryStatus.Delivered => "delivered",
        WebhookDeliveryStatus.Failed => "failed",
        _ => "pending",
    };

    /// <summary><c>delivered</c>, <c>retry</c> or <c>failed</c>.</summary>
    public static string ToWire(this WebhookTryResult result) => result switch
    {
        WebhookTryResult.Delivered => "delivered",
        WebhookTryResult.Retry => "retry",
        _ => "failed",
    };

    /// <summary>The delivery's status after a try with this result.</summary>
    public static WebhookDeliveryStatus StatusAfter(this WebhookTryResult result) => result switch
    {
        WebhookTryResult.Delivered => WebhookDeliveryStatus.Delivered,
        WebhookTryResult.Retry => WebhookDeliveryStatus.Pending,
        _ => WebhookDeliveryStatus.Failed,
    };

    /// <summary>Parses a status name; false when it is not one.</summary>
    public static bool TryParseStatus(string? text, out WebhookDeliveryStatus status)
    {
        (var ok, status) = text switch
        {
            "pending" => (true, WebhookDeliveryStatus.Pending),
            "delivered" => (true, WebhookDeliveryStatus.Delivered),
            "failed" => (true, WebhookDeliveryStatus.Failed),
            _ => (false, WebhookDeliveryStatus.Pending),
        };
        return ok;
    }

    /// <summary>Reads a stored status; a value this build does not know is a corrupt row.</summary>
    public static WebhookDeliveryStatus ParseStoredStatus(string text) =>
        TryParseStatus(text, out var status) ? status : throw new FormatException($"Unknown stored webhook delivery status '{text}'.");

    /// <summary>Reads a stored try result.</summary>
    public static WebhookTryResult ParseStoredResult(string text) => text switch
    {
        "delivered" => WebhookTryResult.Delivered,
        "retry" => WebhookTryResult.Retry,
        "failed" => WebhookTryResult.Failed,
        _ => throw new FormatException($"Unknown stored webhook try result '{text}'."),
    };
}
