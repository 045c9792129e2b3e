using System.Text.Json;
using Switchyard.Alerts;

namespace Switchyard.Http;

/// <summary><c>GET /v1/alerts</c>: every rule's state and the recent transitions, for admin keys only.</summary>
internal static class AlertEndpoints
{
    public static void MapAlertEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/alerts", List);
    }

    private static IResult List(HttpContext http, AlertEvaluator evaluator)
    {
        var caller = CallerKey.From(http);
        if (!caller.IsAdmin)
        {
            return ErrorResults.Error(403, new ErrorBody($"Only an admin key can see alerts; this key ({caller.Id}) is not one.", "invalid_request_error", null, "admin_key_required"), null);
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var status in evaluator.Current)
            {
                json.WriteStartObject();
                json.WriteString("name", status.Rule.Name);
                AlertWire.WriteRuleFields(json, status.Rule, status.Value);
                json.WriteString("state", status.State.ToWire());
                json.WriteString("since", status.Since);
                if (status.LastEvaluated is { } last)
                {
                    json.WriteString("last_evaluated", last);
                }
                else
                {
                    json.WriteNull("last_evaluated");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("history");
            foreach (var transition in evaluator.History)
            {
                json.WriteStartObject();
                AlertWire.WriteRuleFields(json, transition.Rule, transition.Value);
                json.WriteString("type", transition.EventType);
                json.WriteString("from", transition.From.ToWire());
                json.WriteString("to", transition.To.ToWire());
                json.WriteString("at", transition.At);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return Results.Bytes(buffer.ToArray(), "application/json");
    }
}
