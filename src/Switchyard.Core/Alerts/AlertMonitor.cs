using Microsoft.Extensions.Logging;
using Switchyard.Configuration;

namespace Switchyard.Alerts;

/// <summary>
/// One evaluation round: evaluate every rule, log each transition, and enqueue it as a webhook when
/// one is configured (the outbox delivers, retries and records it; see <c>GET /v1/webhooks/deliveries</c>).
/// </summary>
public sealed partial class AlertMonitor
{
    private readonly AlertEvaluator _evaluator;
    private readonly AlertWebhookSender? _sender;
    private readonly ILogger<AlertMonitor> _logger;

    /// <summary>Creates the monitor; <paramref name="sender"/> is null when webhooks are off.</summary>
    public AlertMonitor(AlertEvaluator evaluator, AlertWebhookSender? sender, ILogger<AlertMonitor> logger)
    {
        _evaluator = evaluator;
        _sender = sender;
        _logger = logger;
    }

    /// <summary>Evaluates now, logs and sends every transition, and returns them.</summary>
    public async Task<IReadOnlyList<AlertTransition>> TickAsync(CancellationToken cancellationToken)
    {
        var transitions = _evaluator.Evaluate();
        foreach (var t in transitions)
        {
            var value = t.Value?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) ?? "none";
            var threshold = t.Rule.Threshold?.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) ?? "none";
            if (t.To == AlertState.Firing)
            {
                Log.Firing(_logger, t.Rule.Name, t.Rule.Severity.ToWire(), t.Rule.Kind.ToWire(), value, threshold);
            }
            else
            {
                Log.Resolved(_logger, t.Rule.Name, t.Rule.Severity.ToWire(), value);
            }
        }

        if (_sender is not null)
        {
            foreach (var t in transitions)
            {
                try
                {
                    var deliveryId = await _sender.SendAsync(t, cancellationToken).ConfigureAwait(false);
                    Log.WebhookQueued(_logger, t.EventType, t.Rule.Name, deliveryId);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database refused the delivery: the alert itself is logged above and shown by GET /v1/alerts.
                    Log.WebhookNotQueued(_logger, t.EventType, t.Rule.Name, ex.GetType().Name, ex.Message);
                }
            }
        }

        return transitions;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 700, EventName = "AlertFiring", Level = LogLevel.Warning, Message = "Alert {Rule} ({Severity}) is firing: {Kind} is {Value}, threshold {Threshold}")]
        public static partial void Firing(ILogger logger, string rule, string severity, string kind, string value, string threshold);

        [LoggerMessage(EventId = 701, EventName = "AlertResolved", Level = LogLevel.Information, Message = "Alert {Rule} ({Severity}) resolved: value now {Value}")]
        public static partial void Resolved(ILogger logger, string rule, string severity, string value);

        [LoggerMessage(EventId = 702, EventName = "AlertWebhookNotQueued", Level = LogLevel.Error, Message = "The {EventType} webhook of alert {Rule} could not be stored for delivery ({ErrorType}: {Reason})")]
        public static partial void WebhookNotQueued(ILogger logger, string eventType, string rule, string errorType, string reason);

        [LoggerMessage(EventId = 703, EventName = "AlertWebhookQueued", Level = LogLevel.Debug, Message = "The {EventType} webhook of alert {Rule} is queued as delivery {DeliveryId}")]
        public static partial void WebhookQueued(ILogger logger, string eventType, string rule, string deliveryId);
    }
}
