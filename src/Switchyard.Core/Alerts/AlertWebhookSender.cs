using Switchyard.Configuration;
using Switchyard.Webhooks;

namespace Switchyard.Alerts;

/// <summary>
/// Hands alert transitions to the webhook outbox for <c>alerts.webhook.url</c>, so they are stored,
/// retried over hours and recorded like every other webhook. The delivery has no owner key and is
/// signed with <c>alerts.webhook.secret</c>, looked up in the config at every try
/// (<see cref="WebhookSecrets.AlertsReference"/>) rather than stored.
/// </summary>
public sealed class AlertWebhookSender
{
    private readonly AlertWebhookConfig _webhook;
    private readonly IWebhookOutbox _outbox;

    /// <summary>Creates a sender to <paramref name="webhook"/> through <paramref name="outbox"/>.</summary>
    public AlertWebhookSender(AlertWebhookConfig webhook, IWebhookOutbox outbox)
    {
        _webhook = webhook;
        _outbox = outbox;
    }

    /// <summary>Enqueues one transition (event type <c>alert.firing</c> or <c>alert.resolved</c>, subject the rule's name); returns its delivery id.</summary>
    public async Task<string> SendAsync(AlertTransition transition, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transition);
        return await _outbox.EnqueueAsync(
            new WebhookMessage
            {
                OwnerKeyId = null,
                Url = _webhook.Url,
                SecretReference = WebhookSecrets.AlertsReference,
                EventType = transition.EventType,
                SubjectId = transition.Rule.Name,
                Data = AlertWire.WebhookData(transition),
            },
            cancellationToken).ConfigureAwait(false);
    }
}
