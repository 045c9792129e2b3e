using Microsoft.Extensions.Logging;
using Switchyard.Configuration;

namespace Switchyard.Alerts;

/// <summary>
/// One evaluation round: evaluate every rule, log each transition, and post it as a webhook when
/// one is configured. Delivery failures are logged only; a delivery record store is not kept yet.
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
                if (await _sender.SendAsync(t, cancellationToken).ConfigureAwait(false) is { } failure)
                {
                    Log.WebhookFailed(_logger, t.EventType, t.Rule.Name, AlertWebhookSender.MaxTries, failure);
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

        [LoggerMessage(EventId = 702, EventName = "AlertWebhookFailed", Level = LogLevel.Error, Message = "The {EventType} webhook of alert {Rule} was not delivered after {Tries} tries: {Reason}")]
        public static partial void WebhookFailed(ILogger logger, string eventType, string rule, int tries, string reason);
    }
}
