using System.Globalization;
using System.Text.Json;

namespace Switchyard.Webhooks;

/// <summary>
/// The outbox: wraps a message in the Standard Webhooks envelope, fixes its id and body, stores it as
/// a pending delivery (with a secret reference, never a plain secret) and wakes the dispatcher.
/// </summary>
public sealed class WebhookOutbox : IWebhookOutbox
{
    private readonly IWebhookDeliveryStore _store;
    private readonly WebhookSecrets _secrets;
    private readonly TimeProvider _time;
    private readonly Action? _enqueued;

    /// <summary>Creates the outbox; <paramref name="enqueued"/> is called after each delivery is stored (to try it at once).</summary>
    public WebhookOutbox(IWebhookDeliveryStore store, WebhookSecrets secrets, TimeProvider time, Action? enqueued = null)
    {
        _store = store;
        _secrets = secrets;
        _time = time;
        _enqueued = enqueued;
    }

    /// <summary>A new delivery id: <c>msg_</c> + a version 7 GUID in hex, so ids sort by creation time.</summary>
    public static string NewId(DateTimeOffset now) => "msg_" + Guid.CreateVersion7(now).ToString("N");

    /// <summary>
    /// The same id every time for the same event: <c>msg_</c> + the event's time in milliseconds (hex, so ids
    /// still sort by time) + a hash of <paramref name="eventKey"/> (e.g. job id, item id and event type).
    /// </summary>
    public static string StableId(DateTimeOffset at, string eventKey)
    {
        ArgumentNullException.ThrowIfNull(eventKey);
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(eventKey));
        return "msg_" + at.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture) + Convert.ToHexStringLower(hash.AsSpan(0, 10));
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">
    /// The URL is not absolute, the explicit secret is not <c>whsec_</c> + base64, both an explicit secret and a reference are given,
    /// or there is nothing to sign with (no secret, no reference and no owner key).
    /// </exception>
    public async ValueTask<string> EnqueueAsync(WebhookMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.Url.IsAbsoluteUri)
        {
            throw new ArgumentException("The webhook URL must be absolute.", nameof(message));
        }

        if (message.Secret is not null && message.SecretReference is not null)
        {
            throw new ArgumentException("Give an explicit secret or a secret reference, not both.", nameof(message));
        }

        if (message.Secret is { } explicitSecret && !StandardWebhook.IsValidSecret(explicitSecret))
        {
            throw new ArgumentException("The webhook secret is not whsec_ followed by base64 of 24 to 64 bytes.", nameof(message));
        }

        if (message.SecretReference is { } reference && !WebhookSecrets.IsConfigReference(reference))
        {
            throw new ArgumentException("A secret reference is written config:NAME.", nameof(message));
        }

        if (message.Secret is null && message.SecretReference is null && message.OwnerKeyId is null)
        {
            throw new ArgumentException("A message without an owner key needs a secret or a secret reference to be signed with.", nameof(message));
        }

        if (message.DeliveryId is { } chosen && (!chosen.StartsWith("msg_", StringComparison.Ordinal) || chosen.Length > 64))
        {
            throw new ArgumentException("A delivery id is msg_ followed by at most 60 characters.", nameof(message));
        }

        var now = _time.GetUtcNow();
        var id = message.DeliveryId ?? NewId(now);
        var secretRef = message.Secret is { } secret
            ? await _secrets.ProtectAsync(secret, id, cancellationToken).ConfigureAwait(false)
            : message.SecretReference ?? WebhookSecrets.KeyReference(message.OwnerKeyId!);
        await _store.AddAsync(
            new WebhookDelivery
            {
                Id = id,
                OwnerKeyId = message.OwnerKeyId,
                Url = message.Url.AbsoluteUri,
                EventType = message.EventType,
                SubjectId = message.SubjectId,
                Body = Envelope(message.EventType, now, message.Data),
                SecretRef = secretRef,
                NextTryAt = now,
                CreatedAt = now,
            },
            cancellationToken).ConfigureAwait(false);
        _enqueued?.Invoke();
        return id;
    }

    /// <summary>The Standard Webhooks envelope: <c>{"type": …, "timestamp": ISO 8601 UTC, "data": …}</c>.</summary>
    public static byte[] Envelope(string eventType, DateTimeOffset timestamp, JsonElement data)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", eventType);
            json.WriteString("timestamp", timestamp.UtcDateTime.ToString("yyyy'-'MM'-'dd'T'HH':'mm':'ss.FFFFFFF'Z'", CultureInfo.InvariantCulture));
            json.WritePropertyName("data");
            data.WriteTo(json);
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
