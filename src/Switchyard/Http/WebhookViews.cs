using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Switchyard.Webhooks;

namespace Switchyard.Http;

/// <summary>A webhook delivery as the API shows it: never its secret, only how it is signed.</summary>
internal sealed record WebhookDeliveryView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("key_id")] string? KeyId,
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("event_type")] string EventType,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("try_count")] int TryCount,
    [property: JsonPropertyName("next_try_at")] DateTimeOffset? NextTryAt,
    [property: JsonPropertyName("last_http_status")] int? LastHttpStatus,
    [property: JsonPropertyName("last_error")] string? LastError,
    [property: JsonPropertyName("signed_with")] string SignedWith,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("delivered_at")] DateTimeOffset? DeliveredAt)
{
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "webhook.delivery";

    /// <summary>The exact body posted (the envelope); only in the answer for one delivery.</summary>
    [JsonPropertyName("payload")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Payload { get; init; }

    /// <summary>The tries in order; only in the answer for one delivery.</summary>
    [JsonPropertyName("tries")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<WebhookTryView>? Tries { get; init; }

    public static WebhookDeliveryView From(WebhookDelivery d) => new(
        d.Id, d.OwnerKeyId, d.Url, d.EventType, d.SubjectId, d.Status.ToWire(), d.Tries,
        d.Status == WebhookDeliveryStatus.Pending ? d.NextTryAt : null,
        d.LastHttpStatus, d.LastError, WebhookSecrets.Describe(d.SecretRef), d.CreatedAt, d.DeliveredAt);
}

/// <summary>One try of a delivery.</summary>
internal sealed record WebhookTryView(
    [property: JsonPropertyName("seq")] int Seq,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("duration_ms")] double? DurationMs,
    [property: JsonPropertyName("http_status")] int? HttpStatus,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("result")] string Result)
{
    public static WebhookTryView From(WebhookTry t) => new(t.Seq, t.StartedAt, t.DurationMs, t.HttpStatus, t.Error, t.Result.ToWire());
}

/// <summary>A page of deliveries, newest first: <c>next_cursor</c> (the last one's id) continues with <c>after</c> while <c>has_more</c>.</summary>
internal sealed record WebhookDeliveryListView(
    [property: JsonPropertyName("data")] IReadOnlyList<WebhookDeliveryView> Data,
    [property: JsonPropertyName("has_more")] bool HasMore,
    [property: JsonPropertyName("next_cursor")] string? NextCursor)
{
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "list";
}

/// <summary>Source-generated JSON of the webhook API; null fields are written, so every answer has the same keys.</summary>
[JsonSerializable(typeof(WebhookDeliveryView))]
[JsonSerializable(typeof(WebhookDeliveryListView))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext
{
    /// <summary>Without escaping '+', '&amp;' or non-ASCII, so messages stay readable.</summary>
    public static WebhookJsonContext Wire { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
