using System.Text.Json;
using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Alerts;

/// <summary>The wire names and JSON shapes alerts share between the webhook and <c>GET /v1/alerts</c>.</summary>
public static class AlertWire
{
    /// <summary><c>success_rate</c>, <c>error_rate</c>, <c>circuit_open</c> or <c>placeholder_share</c>.</summary>
    public static string ToWire(this AlertKind kind) => kind switch
    {
        AlertKind.SuccessRate => "success_rate",
        AlertKind.ErrorRate => "error_rate",
        AlertKind.CircuitOpen => "circuit_open",
        AlertKind.QueueAge => "queue_age",
        _ => "placeholder_share",
    };

    /// <summary><c>critical</c> or <c>warning</c>.</summary>
    public static string ToWire(this AlertSeverity severity) => severity == AlertSeverity.Critical ? "critical" : "warning";

    /// <summary><c>ok</c>, <c>firing</c> or <c>resolved</c>.</summary>
    public static string ToWire(this AlertState state) => state switch
    {
        AlertState.Firing => "firing",
        AlertState.Resolved => "resolved",
        _ => "ok",
    };

    /// <summary>The rule's window as the config writes it, or null for circuit rules.</summary>
    public static string? WindowText(AlertRuleConfig rule) => rule.Window > TimeSpan.Zero ? Duration.Format(rule.Window) : null;

    /// <summary>The webhook data of a transition: <c>{ rule, kind, severity, value, threshold, window, route?, provider?, error_class?, state, since }</c>; the outbox wraps it as <c>{ type, timestamp, data }</c>.</summary>
    public static JsonElement WebhookData(AlertTransition transition)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            WriteRuleFields(json, transition.Rule, transition.Value);
            json.WriteString("state", transition.To.ToWire());
            json.WriteString("since", transition.At);
            json.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    /// <summary>Writes <c>rule, kind, severity, value, threshold, window</c> and, when set, <c>route, provider, error_class</c>.</summary>
    public static void WriteRuleFields(Utf8JsonWriter json, AlertRuleConfig rule, double? value)
    {
        json.WriteString("rule", rule.Name);
        json.WriteString("kind", rule.Kind.ToWire());
        json.WriteString("severity", rule.Severity.ToWire());
        WriteNumber(json, "value", value);
        WriteNumber(json, "threshold", rule.Threshold);
        if (WindowText(rule) is { } window)
        {
            json.WriteString("window", window);
        }
        else
        {
            json.WriteNull("window");
        }

        if (rule.Route is not null)
        {
            json.WriteString("route", rule.Route);
        }

        if (rule.Provider is not null)
        {
            json.WriteString("provider", rule.Provider);
        }

        if (rule.ErrorClass is { } errorClass)
        {
            json.WriteString("error_class", errorClass.ToWire());
        }
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, Math.Round(v, 4));
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
