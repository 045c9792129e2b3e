using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Switchyard.Webhooks;

namespace Switchyard.Ui;

/// <summary>
/// <c>GET /ui/webhooks</c>: the durable webhook deliveries (the data of <c>GET /v1/webhooks/deliveries</c>) with the same
/// filters and cursor paging; <c>GET /ui/webhooks/{id}</c>: one delivery with its tries and payload, refreshing itself while
/// it is pending; <c>POST /ui/webhooks/{id}/resend</c>: queue a delivered or failed one again with the same <c>webhook-id</c>
/// and body, through <see cref="WebhookDispatcher.ResendAsync"/> as the API's re-send does. Other pages link a subject's
/// deliveries as <c>/ui/webhooks?subject=ID</c> (a job's <c>job.completed</c>, an alert rule's transitions).
/// </summary>
internal static class WebhooksPage
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The most failed deliveries the overview counts (it reads them page by page); more shows as that many and a plus.</summary>
    public const int MaxCounted = 1000;

    /// <summary>Event types offered as suggestions in the filter (any other type can be typed).</summary>
    private static readonly string[] KnownEventTypes = ["alert.firing", "alert.resolved", "job.completed", "job.item.completed"];

    private static readonly string[] FilterNames = ["status", "event_type", "subject", "key", "limit"];

    private static readonly JsonWriterOptions Pretty = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/webhooks", ListAsync);
        ui.MapGet("/webhooks/{id}", ShowAsync);
        ui.MapGet("/webhooks/{id}/live", LiveAsync);
        ui.MapPost("/webhooks/{id}/resend", ResendAsync);
    }

    /// <summary>
    /// How many deliveries failed among those created since <paramref name="since"/>, counted up to <see cref="MaxCounted"/>
    /// (ids sort by creation time, so the newest-first pages stop at the first older one).
    /// </summary>
    public static async Task<int> CountFailedSinceAsync(IWebhookDeliveryStore store, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var count = 0;
        string? after = null;
        while (count < MaxCounted)
        {
            var page = await store.ListAsync(new WebhookDeliveryQuery { Status = WebhookDeliveryStatus.Failed, After = after, Limit = 200 }, cancellationToken);
            foreach (var delivery in page)
            {
                if (delivery.CreatedAt < since)
                {
                    return count;
                }

                count++;
            }

            if (page.Count < 200)
            {
                return count;
            }

            after = page[^1].Id;
        }

        return count;
    }

    /// <summary>Where a delivery is posted, as shown: host, port and path; never the query, fragment or user info, which may hold a token.</summary>
    public static string Target(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? uri.Scheme + "://" + uri.Authority + uri.AbsolutePath + (uri.Query.Length > 0 ? "?…" : string.Empty)
            : "(not a URL)";

    private static async Task<IResult> ListAsync(HttpContext http, IWebhookDeliveryStore store)
    {
        var query = http.Request.Query;
        var notice = Resent(query);
        var (filter, problem) = Parse(query);
        var form = FilterForm(query, problem?.Param);
        if (problem is not null)
        {
            var error = UiPage.Notice("error", $"{problem.Param}: {problem.Message}");
            return UiPage.Render(http, "Webhooks", "webhooks", Html.Of($"<h1>Webhook deliveries</h1>{form}{error}"), StatusCodes.Status400BadRequest);
        }

        // One more than the page tells whether there is a next page, as the API does.
        var limit = filter!.Limit;
        var found = await store.ListAsync(filter with { Limit = limit + 1 }, http.RequestAborted);
        var page = found.Take(limit).ToList();
        var back = "/ui/webhooks" + http.Request.QueryString.Value;
        var csrf = page.Any(CanResend) ? UiPage.Csrf(http) : HtmlRaw.Empty;
        var rows = HtmlRaw.Join(page.Select(d => Html.Of($"""
            <tr>
              <th scope="row" class="wrap"><a class="mono small" href="/ui/webhooks/{d.Id}">{d.Id}</a></th>
              <td class="mono small">{d.EventType}</td>
              <td><a href="/ui/webhooks?subject={Uri.EscapeDataString(d.SubjectId)}">{d.SubjectId}</a></td>
              <td class="mono small wrap">{Target(d.Url)}</td>
              <td class="action">{UiPage.Badge(d.Status.ToWire())}{(CanResend(d) ? HtmlRaw.Join([Html.Of($"<br>"), ResendForm(d.Id, back, csrf)]) : HtmlRaw.Empty)}</td>
              <td class="num">{d.Tries}</td>
              <td class="num">{(d.LastHttpStatus is { } status ? status.ToString(CultureInfo.InvariantCulture) : "—")}</td>
              <td class="small error">{Shorten(d.LastError, 120) ?? "—"}</td>
              <td class="small">{(d.Status == WebhookDeliveryStatus.Pending ? UiFormat.TimeTag(d.NextTryAt) : Html.Of($"—"))}</td>
              <td class="small">{UiFormat.TimeTag(d.CreatedAt)}{(d.DeliveredAt is { } at ? HtmlRaw.Join([Html.Of($"<br>delivered "), UiFormat.TimeTag(at)]) : HtmlRaw.Empty)}</td>
            </tr>
            """)));
        var table = page.Count == 0
            ? Html.Of($"""<p class="muted">No webhook deliveries match these filters.</p>""")
            : Html.Of($"""
                <div class="table-wrap"><table id="deliveries-table">
                <caption>{page.Count} {(page.Count == 1 ? "delivery" : "deliveries")}, newest first</caption>
                <thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">Subject</th><th scope="col">URL</th><th scope="col">Status</th><th scope="col" class="num">Tries</th><th scope="col" class="num">Last HTTP</th><th scope="col">Last error</th><th scope="col">Next try</th><th scope="col">Created / delivered</th></tr></thead>
                <tbody>{rows}</tbody></table></div>
                """);
        var pager = found.Count > limit
            ? Html.Of($"""<nav class="pager" aria-label="Pages"><a class="button secondary" href="/ui/webhooks?{KeepFilters(query)}after={page[^1].Id}">Older deliveries</a></nav>""")
            : HtmlRaw.Empty;
        return UiPage.Render(http, "Webhooks", "webhooks", Html.Of($"""<h1>Webhook deliveries</h1>{notice}{form}<section class="panel" aria-label="Matching deliveries">{table}{pager}</section>"""));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, IWebhookDeliveryStore store)
    {
        var delivery = await store.GetAsync(id, http.RequestAborted);
        if (delivery is null)
        {
            return NotFound(http, id);
        }

        var details = await DetailsAsync(http, store, delivery);
        var live = delivery.Status == WebhookDeliveryStatus.Pending
            ? Html.Of($"""<div id="live" data-refresh="/ui/webhooks/{delivery.Id}/live" data-interval="2">{details}</div>""")
            : Html.Of($"""<div id="live">{details}</div>""");
        var body = Html.Of($"""
            <p class="small"><a href="/ui/webhooks">← Webhook deliveries</a></p>
            <h1>Delivery <span class="mono">{delivery.Id}</span></h1>
            {Resent(http.Request.Query)}
            {live}
            """);
        return UiPage.Render(http, $"Delivery {delivery.Id}", "webhooks", body);
    }

    private static async Task<IResult> LiveAsync(string id, HttpContext http, IWebhookDeliveryStore store)
    {
        var delivery = await store.GetAsync(id, http.RequestAborted);
        return delivery is null ? Results.NotFound() : Results.Content((await DetailsAsync(http, store, delivery)).Value, UiPage.ContentType);
    }

    private static async Task<IResult> ResendAsync(string id, HttpContext http, WebhookDispatcher dispatcher)
    {
        if (!await UiEndpoints.ValidateFormAsync(http))
        {
            return UiEndpoints.FormExpired();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var resent = await dispatcher.ResendAsync(id, http.RequestAborted);
        if (resent is null)
        {
            return NotFound(http, id);
        }

        var back = SafeBack(form["back"].ToString(), id);
        return Results.Redirect(back + (back.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "resent=" + Uri.EscapeDataString(id));
    }

    private static async Task<HtmlRaw> DetailsAsync(HttpContext http, IWebhookDeliveryStore store, WebhookDelivery delivery)
    {
        var tries = await store.GetTriesAsync(delivery.Id, http.RequestAborted);
        var resend = CanResend(delivery)
            ? Html.Of($"""<p>{ResendForm(delivery.Id, "/ui/webhooks/" + delivery.Id, UiPage.Csrf(http))} <span class="muted small">Queues it again with the same <code>webhook-id</code> and body; receivers should drop ids they have already processed.</span></p>""")
            : Html.Of($"""<p class="muted small">Pending: it is tried again at its next try{(delivery.NextTryAt is { } next ? $" ({UiFormat.Time(next)})" : string.Empty)}; this page updates itself.</p>""");
        var facts = Html.Of($"""
            <dl class="facts" id="delivery-facts">
              <dt>Status</dt><dd>{UiPage.Badge(delivery.Status.ToWire())}{(delivery.LastHttpStatus is { } status ? Html.Of($" <span class=\"muted\">last HTTP {status}</span>") : HtmlRaw.Empty)}</dd>
              <dt>Event</dt><dd><code>{delivery.EventType}</code></dd>
              <dt>Subject</dt><dd><a href="/ui/webhooks?subject={Uri.EscapeDataString(delivery.SubjectId)}">{delivery.SubjectId}</a></dd>
              <dt>URL</dt><dd><code>{Target(delivery.Url)}</code></dd>
              <dt>Owner key</dt><dd>{(delivery.OwnerKeyId is { } owner ? Html.Of($"<code>{owner}</code>") : Html.Of($"<span class=\"muted\">none (a server event)</span>"))}</dd>
              <dt>Signed with</dt><dd>{WebhookSecrets.Describe(delivery.SecretRef)}</dd>
              <dt>Tries</dt><dd>{delivery.Tries} in all, {delivery.RoundTries} since it was queued last</dd>
              <dt>Next try</dt><dd>{(delivery.Status == WebhookDeliveryStatus.Pending ? UiFormat.TimeTag(delivery.NextTryAt) : Html.Of($"—"))}</dd>
              <dt>Created</dt><dd>{UiFormat.TimeTag(delivery.CreatedAt)}</dd>
              <dt>Delivered</dt><dd>{UiFormat.TimeTag(delivery.DeliveredAt)}</dd>
            </dl>
            """);
        var error = delivery.LastError is { } e && delivery.Status != WebhookDeliveryStatus.Delivered
            ? UiPage.Notice(delivery.Status == WebhookDeliveryStatus.Failed ? "error" : "info", $"Last error: {e}")
            : HtmlRaw.Empty;
        var tryRows = HtmlRaw.Join(tries.Select(t => Html.Of($"""
            <tr><th scope="row" class="num">{t.Seq}</th><td>{UiFormat.TimeTag(t.StartedAt)}</td><td>{UiPage.Badge(t.Result.ToWire(), t.Result == WebhookTryResult.Retry ? "pending" : null)}</td>
            <td class="num">{(t.HttpStatus is { } s ? s.ToString(CultureInfo.InvariantCulture) : "—")}</td><td class="num">{UiFormat.Ms(t.DurationMs)}</td><td class="small">{t.Error ?? "—"}</td></tr>
            """)));
        var triesTable = tries.Count == 0
            ? Html.Of($"""<p class="muted">Not tried yet.</p>""")
            : Html.Of($"""<div class="table-wrap"><table id="tries-table"><thead><tr><th scope="col" class="num">#</th><th scope="col">Started</th><th scope="col">Result</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">Duration</th><th scope="col">Error</th></tr></thead><tbody>{tryRows}</tbody></table></div>""");
        return Html.Of($"""
            {error}
            {resend}
            <div class="grid">
              {UiPage.Panel("h-delivery", "Summary", facts)}
              {UiPage.Panel("h-payload", "Payload", Html.Of($"""<pre class="preview" id="payload">{PrettyJson(delivery.Body)}</pre>"""))}
            </div>
            {UiPage.Panel("h-tries", "Tries", triesTable)}
            """);
    }

    private static bool CanResend(WebhookDelivery delivery) => delivery.Status != WebhookDeliveryStatus.Pending;

    /// <summary>The Re-send button of one delivery; after the re-send the browser goes <paramref name="back"/> (a webhooks or jobs page).</summary>
    public static HtmlRaw ResendForm(string id, string back, HtmlRaw csrf) => Html.Of($"""
        <form method="post" action="/ui/webhooks/{id}/resend" class="inline">{csrf}<input type="hidden" name="back" value="{back}"><button type="submit" class="secondary" aria-label="Re-send {id}">Re-send</button></form>
        """);

    /// <summary>The notice after a re-send (the <c>resent</c> query parameter), or nothing.</summary>
    public static HtmlRaw Resent(IQueryCollection query) =>
        query["resent"].ToString() is { Length: > 0 } id
            ? UiPage.Notice("ok", $"Re-sent {id}: queued again with the same webhook-id and body; it is tried at once.")
            : HtmlRaw.Empty;

    private static IResult NotFound(HttpContext http, string id) => UiPage.Render(
        http,
        "Delivery not found",
        "webhooks",
        Html.Of($"""<h1>Delivery not found</h1><p>No webhook delivery <code>{id}</code>. <a href="/ui/webhooks">All deliveries</a></p>"""),
        StatusCodes.Status404NotFound);

    /// <summary>The filters as the store takes them, or the first parameter that is wrong (the API's rules and messages).</summary>
    private static (WebhookDeliveryQuery? Query, Problem? Problem) Parse(IQueryCollection query)
    {
        string? Value(string name) => query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0]!.Trim() : null;
        WebhookDeliveryStatus? status = null;
        if (Value("status") is { } statusText)
        {
            if (!WebhookWire.TryParseStatus(statusText, out var parsed))
            {
                return (null, new Problem("status", $"'{statusText}' is not a delivery status; use pending, delivered or failed."));
            }

            status = parsed;
        }

        var limit = DefaultLimit;
        if (Value("limit") is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return (null, new Problem("limit", $"'{limitText}' is not a valid limit; use a whole number from 1 to {MaxLimit}."));
        }

        var after = Value("after");
        if (after is not null && !after.StartsWith("msg_", StringComparison.Ordinal))
        {
            return (null, new Problem("after", $"'{after}' is not a delivery id; use the Older deliveries link."));
        }

        return (new WebhookDeliveryQuery
        {
            OwnerKeyId = Value("key"),
            SubjectId = Value("subject"),
            Status = status,
            EventType = Value("event_type"),
            After = after,
            Limit = limit,
        }, null);
    }

    private static HtmlRaw FilterForm(IQueryCollection query, string? invalid)
    {
        string Get(string name) => query[name].ToString();
        HtmlRaw Invalid(string name) => invalid == name ? new HtmlRaw(" aria-invalid=\"true\"") : HtmlRaw.Empty;
        HtmlRaw Text(string name, string label, string placeholder, string? list = null) => Html.Of($"""
            <div><label for="f-{name}">{label}</label><input type="text" id="f-{name}" name="{name}" value="{Get(name)}" placeholder="{placeholder}"{(list is null ? HtmlRaw.Empty : Html.Of($" list=\"{list}\""))}{Invalid(name)}></div>
            """);
        var statuses = HtmlRaw.Join(Enum.GetValues<WebhookDeliveryStatus>().Select(s => s.ToWire()).Select(s =>
            Html.Of($"<option value=\"{s}\"{(s == Get("status") ? new HtmlRaw(" selected") : HtmlRaw.Empty)}>{s}</option>")));
        var types = HtmlRaw.Join(KnownEventTypes.Select(t => Html.Of($"<option value=\"{t}\"></option>")));
        return Html.Of($"""
            <section class="panel" aria-labelledby="h-filters"><h2 id="h-filters" class="visually-hidden">Filters</h2>
            <form class="filters" method="get" action="/ui/webhooks" aria-label="Delivery filters">
              <div><label for="f-status">Status</label><select id="f-status" name="status"{Invalid("status")}><option value="">any</option>{statuses}</select></div>
              {Text("event_type", "Event type", "e.g. job.completed", "event-types")}
              <datalist id="event-types">{types}</datalist>
              {Text("subject", "Subject", "job id or alert rule")}
              {Text("key", "Owner key", "key_…")}
              {Text("limit", "Limit", DefaultLimit.ToString(CultureInfo.InvariantCulture))}
              <div><button type="submit">Filter</button> <a class="button secondary" href="/ui/webhooks">Clear</a></div>
            </form></section>
            """);
    }

    /// <summary>The payload as indented JSON (encoded as text when the page is written); bytes that are not JSON as UTF-8 text.</summary>
    private static string PrettyJson(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, Pretty))
            {
                document.RootElement.WriteTo(writer);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetString(body);
        }
    }

    /// <summary>Where to go after a re-send: a page of this section or a job's page (which lists its deliveries), never another site.</summary>
    private static string SafeBack(string? back, string id) =>
        back is { Length: > 0 } && (back == "/ui/webhooks" || back.StartsWith("/ui/webhooks?", StringComparison.Ordinal) || back.StartsWith("/ui/webhooks/", StringComparison.Ordinal) || back.StartsWith("/ui/jobs/", StringComparison.Ordinal))
            && !back.Contains("//", StringComparison.Ordinal) && !back.Contains('\\', StringComparison.Ordinal)
            ? StripResent(back)
            : "/ui/webhooks/" + Uri.EscapeDataString(id);

    // A page re-sent from twice would otherwise collect resent= parameters.
    private static string StripResent(string back)
    {
        var question = back.IndexOf('?', StringComparison.Ordinal);
        if (question < 0)
        {
            return back;
        }

        var kept = back[(question + 1)..].Split('&').Where(p => p.Length > 0 && !p.StartsWith("resent=", StringComparison.Ordinal)).ToList();
        return kept.Count == 0 ? back[..question] : back[..question] + "?" + string.Join('&', kept);
    }

    private static string KeepFilters(IQueryCollection query) => string.Concat(FilterNames
        .Where(n => !string.IsNullOrWhiteSpace(query[n].ToString()))
        .Select(n => $"{n}={Uri.EscapeDataString(query[n].ToString())}&"));

    private static string? Shorten(string? text, int length) => text is null || text.Length <= length ? text : text[..length] + "…";

    private sealed record Problem(string Param, string Message);
}
