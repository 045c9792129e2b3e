using System.Globalization;
using System.Text.Json;
using Switchyard.Webhooks;

namespace Switchyard.Http;

/// <summary>
/// <c>GET /v1/webhooks/deliveries</c>, <c>GET /v1/webhooks/deliveries/{id}</c> and <c>POST /v1/webhooks/deliveries/{id}/resend</c>:
/// a key sees and re-sends its own deliveries (another key's are 404); admin keys see all, server events (alerts) included.
/// </summary>
internal static class WebhookEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static void MapWebhookEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/webhooks/deliveries", ListAsync);
        v1.MapGet("/webhooks/deliveries/{id}", GetAsync);
        v1.MapPost("/webhooks/deliveries/{id}/resend", ResendAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IWebhookDeliveryStore store)
    {
        var query = http.Request.Query;
        var caller = CallerKey.From(http);
        WebhookDeliveryStatus? status = null;
        if (Single(query, "status") is { } statusText)
        {
            if (!WebhookWire.TryParseStatus(statusText, out var parsed))
            {
                return BadParameter("status", $"'{statusText}' is not a delivery status; use pending, delivered or failed.");
            }

            status = parsed;
        }

        var limit = DefaultLimit;
        if (Single(query, "limit") is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return BadParameter("limit", $"'{limitText}' is not a valid limit; use a whole number from 1 to {MaxLimit}.");
        }

        var after = Single(query, "after");
        if (after is not null && !after.StartsWith("msg_", StringComparison.Ordinal))
        {
            return BadParameter("after", $"'{after}' is not a delivery id; pass the next_cursor of the previous page (msg_…).");
        }

        var key = Single(query, "key");
        if (!caller.IsAdmin && key is not null && key != caller.Id)
        {
            return ErrorResults.Error(
                403,
                new ErrorBody($"Only an admin key can see another key's deliveries; this key ({caller.Id}) sees its own, with or without 'key'.", "invalid_request_error", "key", "key_not_allowed"),
                null);
        }

        // One more than the page tells whether there is a next page.
        var page = await store.ListAsync(
            new WebhookDeliveryQuery
            {
                OwnerKeyId = caller.IsAdmin ? key : caller.Id,
                SubjectId = Single(query, "subject"),
                Status = status,
                EventType = Single(query, "event_type"),
                After = after,
                Limit = limit + 1,
            },
            http.RequestAborted);
        var data = page.Take(limit).Select(WebhookDeliveryView.From).ToList();
        var hasMore = page.Count > limit;
        return Results.Json(new WebhookDeliveryListView(data, hasMore, hasMore ? data[^1].Id : null), WebhookJsonContext.Wire.WebhookDeliveryListView);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, IWebhookDeliveryStore store)
    {
        var delivery = await FindAsync(id, http, store);
        if (delivery is null)
        {
            return NotFound(id);
        }

        var tries = await store.GetTriesAsync(id, http.RequestAborted);
        return Results.Json(Detailed(delivery, tries), WebhookJsonContext.Wire.WebhookDeliveryView);
    }

    private static async Task<IResult> ResendAsync(string id, HttpContext http, IWebhookDeliveryStore store, WebhookDispatcher dispatcher)
    {
        if (await FindAsync(id, http, store) is null)
        {
            return NotFound(id);
        }

        var resent = await dispatcher.ResendAsync(id, http.RequestAborted);
        if (resent is null)
        {
            return NotFound(id);
        }

        var tries = await store.GetTriesAsync(id, http.RequestAborted);
        return Results.Json(Detailed(resent, tries), WebhookJsonContext.Wire.WebhookDeliveryView, statusCode: 202);
    }

    /// <summary>The delivery when the caller may see it: its owner or an admin key; otherwise null, as if it did not exist.</summary>
    private static async Task<WebhookDelivery?> FindAsync(string id, HttpContext http, IWebhookDeliveryStore store)
    {
        var caller = CallerKey.From(http);
        var delivery = await store.GetAsync(id, http.RequestAborted);
        return delivery is not null && (caller.IsAdmin || delivery.OwnerKeyId == caller.Id) ? delivery : null;
    }

    private static WebhookDeliveryView Detailed(WebhookDelivery delivery, IReadOnlyList<WebhookTry> tries)
    {
        using var payload = JsonDocument.Parse(delivery.Body);
        return WebhookDeliveryView.From(delivery) with
        {
            Payload = payload.RootElement.Clone(),
            Tries = [.. tries.Select(WebhookTryView.From)],
        };
    }

    private static IResult NotFound(string id) =>
        ErrorResults.Error(404, new ErrorBody($"No webhook delivery '{id}'.", "invalid_request_error", "id", "delivery_not_found"), null);

    private static IResult BadParameter(string param, string message) =>
        ErrorResults.Error(400, new ErrorBody($"Invalid query parameter '{param}': {message}", "invalid_request_error", param, "invalid_value"), null);

    private static string? Single(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrWhiteSpace(values[0]) ? values[0]!.Trim() : null;
}
