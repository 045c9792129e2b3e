using System.Globalization;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Jobs;
using Switchyard.Webhooks;

namespace Switchyard.Ui;

/// <summary>
/// <c>GET /ui/jobs</c>: recent jobs newest first (status and owner filters, cursor paging) with their progress, refreshing
/// itself while any shown job is open; <c>GET /ui/jobs/{id}</c>: one job with its items (runs, artifacts, why an item
/// failed or was skipped) and its webhook deliveries with the Webhooks page's re-send; <c>POST /ui/jobs/{id}/cancel</c>:
/// cancels it as <c>POST /v1/jobs/{id}/cancel</c> does.
/// </summary>
internal static class JobsPage
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The most deliveries of one job the detail page lists (a per-item job has one per item and one for the job).</summary>
    public const int MaxDeliveries = 50;

    /// <summary>Seconds between refreshes of an open job.</summary>
    private const int RefreshSeconds = 3;

    /// <summary>The header a live fragment carries when what it shows is finished, so the page stops fetching it.</summary>
    private const string RefreshHeader = "x-switchyard-refresh";

    private static readonly string[] FilterNames = ["status", "key", "limit"];

    private static readonly JobItemStatus[] ItemStatuses = Enum.GetValues<JobItemStatus>();

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/jobs", ListAsync);
        ui.MapGet("/jobs/live", ListLiveAsync);
        ui.MapGet("/jobs/{id}", ShowAsync);
        ui.MapGet("/jobs/{id}/live", ShowLiveAsync);
        ui.MapPost("/jobs/{id}/cancel", CancelAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, IJobStore store)
    {
        var query = http.Request.Query;
        var (filter, problem) = Parse(query);
        var form = FilterForm(query, problem?.Param);
        if (problem is not null)
        {
            var error = UiPage.Notice("error", $"{problem.Param}: {problem.Message}");
            return UiPage.Render(http, "Jobs", "jobs", Html.Of($"<h1>Jobs</h1>{form}{error}"), StatusCodes.Status400BadRequest);
        }

        var (table, open) = await ListContentAsync(http, store, filter!);
        var live = open
            ? Html.Of($"""
                <div class="toolbar"><div class="refresh"><input type="checkbox" id="auto-refresh" checked><label for="auto-refresh">Refresh every {RefreshSeconds}s while jobs run</label>
                <span id="refresh-status" role="status" aria-live="polite"></span></div></div>
                <div id="live" data-refresh="/ui/jobs/live{http.Request.QueryString.Value}" data-interval="{RefreshSeconds}">{table}</div>
                """)
            : Html.Of($"""<div id="live">{table}</div>""");
        return UiPage.Render(http, "Jobs", "jobs", Html.Of($"<h1>Jobs</h1>{form}{live}"));
    }

    private static async Task<IResult> ListLiveAsync(HttpContext http, IJobStore store)
    {
        var (filter, problem) = Parse(http.Request.Query);
        if (problem is not null)
        {
            return Results.BadRequest();
        }

        var (table, open) = await ListContentAsync(http, store, filter!);
        if (!open)
        {
            http.Response.Headers[RefreshHeader] = "done";
        }

        return Results.Content(table.Value, UiPage.ContentType);
    }

    private static async Task<(HtmlRaw Content, bool AnyOpen)> ListContentAsync(HttpContext http, IJobStore store, JobQuery filter)
    {
        // One more than the page tells whether there is a next page, as the webhooks page does.
        var limit = filter.Limit;
        var found = await store.ListAsync(filter with { Limit = limit + 1 }, http.RequestAborted);
        var page = found.Take(limit).ToList();
        var rows = HtmlRaw.Join(page.Select(s => Html.Of($"""
            <tr>
              <th scope="row"><a class="mono small" href="/ui/jobs/{s.Job.Id}">{s.Job.Id}</a></th>
              <td class="mono small">{s.Job.OwnerKeyId}</td>
              <td>{UiPage.Badge(s.Status.ToWire())}{(s.Job.CancelRequested && !s.Status.IsTerminal() ? Html.Of($" <span class=\"small muted\">cancelling</span>") : HtmlRaw.Empty)}</td>
              <td>{Progress(s.Counts)}</td>
              <td class="small">{CountsText(s.Counts)}</td>
              <td class="small">{UiFormat.TimeTag(s.Job.CreatedAt)}</td>
              <td class="small">{UiFormat.TimeTag(s.Job.CompletedAt)}</td>
            </tr>
            """)));
        var table = page.Count == 0
            ? Html.Of($"""<p class="muted">No jobs match these filters.</p>""")
            : Html.Of($"""
                <div class="table-wrap"><table id="jobs-table">
                <caption>{page.Count} {(page.Count == 1 ? "job" : "jobs")}, newest first</caption>
                <thead><tr><th scope="col">Job</th><th scope="col">Owner key</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Items</th><th scope="col">Created</th><th scope="col">Completed</th></tr></thead>
                <tbody>{rows}</tbody></table></div>
                """);
        var pager = found.Count > limit
            ? Html.Of($"""<nav class="pager" aria-label="Pages"><a class="button secondary" href="/ui/jobs?{KeepFilters(http.Request.Query)}after={page[^1].Job.Id}">Older jobs</a></nav>""")
            : HtmlRaw.Empty;
        var content = Html.Of($"""<section class="panel" aria-label="Matching jobs">{table}{pager}</section>""");
        return (content, page.Any(s => !s.Status.IsTerminal()));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, IJobStore store, IWebhookDeliveryStore deliveries)
    {
        var job = await store.GetAsync(id, http.RequestAborted);
        if (job is null)
        {
            return NotFound(http, id);
        }

        var (details, open) = await DetailsAsync(http, store, deliveries, job);
        var live = open
            ? Html.Of($"""
                <div class="toolbar"><div class="refresh"><input type="checkbox" id="auto-refresh" checked><label for="auto-refresh">Refresh every {RefreshSeconds}s while it runs</label>
                <span id="refresh-status" role="status" aria-live="polite"></span></div></div>
                <div id="live" data-refresh="/ui/jobs/{job.Id}/live" data-interval="{RefreshSeconds}">{details}</div>
                """)
            : Html.Of($"""<div id="live">{details}</div>""");
        var notice = http.Request.Query.ContainsKey("cancelled")
            ? UiPage.Notice("ok", "Cancel asked for: items that had not started are cancelled; running items finish their attempt.")
            : HtmlRaw.Empty;
        var body = Html.Of($"""
            <p class="small"><a href="/ui/jobs">← Jobs</a></p>
            <h1>Job <span class="mono">{job.Id}</span></h1>
            {notice}
            {WebhooksPage.Resent(http.Request.Query)}
            {live}
            """);
        return UiPage.Render(http, $"Job {job.Id}", "jobs", body);
    }

    private static async Task<IResult> ShowLiveAsync(string id, HttpContext http, IJobStore store, IWebhookDeliveryStore deliveries)
    {
        var job = await store.GetAsync(id, http.RequestAborted);
        if (job is null)
        {
            return Results.NotFound();
        }

        var (details, open) = await DetailsAsync(http, store, deliveries, job);
        if (!open)
        {
            http.Response.Headers[RefreshHeader] = "done";
        }

        return Results.Content(details.Value, UiPage.ContentType);
    }

    private static async Task<IResult> CancelAsync(string id, HttpContext http, IJobStore store, TimeProvider time)
    {
        if (!await UiEndpoints.ValidateFormAsync(http))
        {
            return UiEndpoints.FormExpired();
        }

        // The dashboard is admin-only, and an admin key may cancel any job over the API too.
        var job = await store.CancelAsync(id, time.GetUtcNow(), http.RequestAborted);
        return job is null ? NotFound(http, id) : Results.Redirect($"/ui/jobs/{Uri.EscapeDataString(id)}?cancelled=1");
    }

    private static async Task<(HtmlRaw Content, bool Open)> DetailsAsync(HttpContext http, IJobStore store, IWebhookDeliveryStore deliveries, JobRecord job)
    {
        var items = await store.GetItemsAsync(job.Id, http.RequestAborted);
        var summary = new JobSummary(job, JobCounts.Of(items));
        var status = summary.Status;
        var open = !status.IsTerminal();
        var cancel = open && !job.CancelRequested
            ? Html.Of($"""
                <form method="post" action="/ui/jobs/{job.Id}/cancel" class="inline" data-confirm="Cancel job {job.Id}? Items that have not started are cancelled.">{UiPage.Csrf(http)}<button type="submit" class="secondary">Cancel job</button></form>
                """)
            : HtmlRaw.Empty;
        var cancelling = open && job.CancelRequested
            ? UiPage.Notice("info", "Cancel asked for: running items finish their attempt, then the job is cancelled.")
            : HtmlRaw.Empty;
        var facts = Facts(job, summary);
        var itemRows = HtmlRaw.Join(items.Select(ItemRow));
        var itemTable = Html.Of($"""
            <div class="table-wrap"><table id="items-table">
            <thead><tr><th scope="col">Item</th><th scope="col">Type</th><th scope="col">Route</th><th scope="col">Status</th><th scope="col" class="num">Attempts</th><th scope="col">Prompt</th><th scope="col">Runs</th><th scope="col">Output</th><th scope="col">Reason</th></tr></thead>
            <tbody>{itemRows}</tbody></table></div>
            """);
        var deliveryList = await DeliveriesAsync(http, deliveries, job);
        var content = Html.Of($"""
            {cancelling}
            <p>{cancel}</p>
            {UiPage.Panel("h-job", "Summary", facts)}
            {UiPage.Panel("h-items", "Items", itemTable)}
            {UiPage.Panel("h-deliveries", "Webhook deliveries", deliveryList)}
            """);
        return (content, open);
    }

    private static HtmlRaw Facts(JobRecord job, JobSummary summary) => Html.Of($"""
        <dl class="facts" id="job-facts">
          <dt>Status</dt><dd>{UiPage.Badge(summary.Status.ToWire())}</dd>
          <dt>Progress</dt><dd>{Progress(summary.Counts)}</dd>
          <dt>Items</dt><dd>{CountsText(summary.Counts)}</dd>
          <dt>Owner key</dt><dd><code>{job.OwnerKeyId}</code></dd>
          <dt>Created</dt><dd>{UiFormat.TimeTag(job.CreatedAt)}</dd>
          <dt>Completed</dt><dd>{UiFormat.TimeTag(job.CompletedAt)}</dd>
          <dt>Webhook</dt><dd>{(job.Webhook is { } hook ? Html.Of($"<code>{WebhooksPage.Target(hook.Url.ToString())}</code>{(hook.PerItem ? " (per item and job)" : " (when the job finishes)")}") : Html.Of($"<span class=\"muted\">none</span>"))}</dd>
          <dt>Context</dt><dd>{(job.Context is { } context ? Html.Of($"{Shorten(context, 300)}") : Html.Of($"<span class=\"muted\">none</span>"))}</dd>
        </dl>
        """);

    private static HtmlRaw ItemRow(JobItemRecord item)
    {
        var runs = item.RunIds.Count == 0
            ? Html.Of($"<span class=\"muted\">—</span>")
            : HtmlRaw.Join(item.RunIds.Select((r, i) => Html.Of($"""{(i > 0 ? Html.Of($"<br>") : HtmlRaw.Empty)}<a class="mono small" href="/ui/runs/{r}">{r}</a>""")));
        var output = item.ArtifactIds.Count > 0
            ? HtmlRaw.Join(item.ArtifactIds.Select((a, i) => Html.Of($"""{(i > 0 ? Html.Of($"<br>") : HtmlRaw.Empty)}<a class="mono small" href="/ui/artifacts/{a}">{a}</a>""")))
            : item.OutputText is { } text ? Html.Of($"""<span class="small">{Shorten(text, 160)}</span>""") : Html.Of($"<span class=\"muted\">—</span>");
        var reason = item.ErrorClass is { } errorClass
            ? Html.Of($"""<code class="reason">{errorClass}</code>{(item.ErrorMessage is { } message ? Html.Of($"<br><span class=\"small error\">{Shorten(message, 300)}</span>") : HtmlRaw.Empty)}{(item.Status.IsTerminal() ? HtmlRaw.Empty : Html.Of($"<br><span class=\"small muted\">(last failed attempt; it is retried)</span>"))}""")
            : Html.Of($"<span class=\"muted\">—</span>");
        var needs = item.DependsOn.Count > 0 ? Html.Of($"""<br><span class="small muted">needs {string.Join(", ", item.DependsOn)}</span>""") : HtmlRaw.Empty;
        return Html.Of($"""
            <tr id="item-{item.ItemId}">
              <th scope="row" class="wrap"><span class="mono">{item.ItemId}</span>{needs}</th>
              <td>{item.Type.ToWire()}</td>
              <td class="mono small">{item.Route}</td>
              <td>{UiPage.Badge(item.Status.ToWire())}</td>
              <td class="num">{item.Attempts}</td>
              <td class="small wrap">{(Prompt(item.Spec) is { } prompt ? Html.Of($"{Shorten(prompt, 160)}") : Html.Of($"<span class=\"muted\">—</span>"))}</td>
              <td>{runs}</td>
              <td class="wrap">{output}</td>
              <td class="wrap">{reason}</td>
            </tr>
            """);
    }

    private static async Task<HtmlRaw> DeliveriesAsync(HttpContext http, IWebhookDeliveryStore store, JobRecord job)
    {
        var found = await store.ListAsync(new WebhookDeliveryQuery { SubjectId = job.Id, Limit = MaxDeliveries + 1 }, http.RequestAborted);
        var page = found.Take(MaxDeliveries).ToList();
        var all = Html.Of($"""<p class="small"><a href="/ui/webhooks?subject={Uri.EscapeDataString(job.Id)}">All deliveries of this job on the Webhooks page</a></p>""");
        if (page.Count == 0)
        {
            var why = job.Webhook is null ? "This job has no webhook." : "None yet: they are queued when the job (or, per item, an item) finishes.";
            return Html.Of($"""<p class="muted">{why}</p>{all}""");
        }

        var back = "/ui/jobs/" + job.Id;
        var csrf = page.Any(d => d.Status != WebhookDeliveryStatus.Pending) ? UiPage.Csrf(http) : HtmlRaw.Empty;
        var rows = HtmlRaw.Join(page.Select(d => Html.Of($"""
            <tr>
              <th scope="row" class="wrap"><a class="mono small" href="/ui/webhooks/{d.Id}">{d.Id}</a></th>
              <td class="mono small">{d.EventType}</td>
              <td class="action">{UiPage.Badge(d.Status.ToWire())}{(d.Status != WebhookDeliveryStatus.Pending ? HtmlRaw.Join([Html.Of($"<br>"), WebhooksPage.ResendForm(d.Id, back, csrf)]) : HtmlRaw.Empty)}</td>
              <td class="num">{d.Tries}</td>
              <td class="num">{(d.LastHttpStatus is { } s ? s.ToString(CultureInfo.InvariantCulture) : "—")}</td>
              <td class="small error">{Shorten(d.LastError, 120) ?? "—"}</td>
              <td class="small">{UiFormat.TimeTag(d.CreatedAt)}</td>
            </tr>
            """)));
        var more = found.Count > MaxDeliveries ? Html.Of($"""<p class="small muted">The newest {MaxDeliveries} are shown.</p>""") : HtmlRaw.Empty;
        return Html.Of($"""
            <div class="table-wrap"><table id="deliveries-table">
            <thead><tr><th scope="col">Delivery</th><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Tries</th><th scope="col" class="num">Last HTTP</th><th scope="col">Last error</th><th scope="col">Created</th></tr></thead>
            <tbody>{rows}</tbody></table></div>
            {more}{all}
            """);
    }

    /// <summary>How far the job is, as a bar with the same words as text ("3 of 40 done").</summary>
    private static HtmlRaw Progress(JobCounts counts)
    {
        var done = ItemStatuses.Where(s => s.IsTerminal()).Sum(s => counts[s]);
        var words = $"{UiFormat.Count(done)} of {UiFormat.Count(counts.Total)} done";
        return Html.Of($"""<span class="progress"><progress max="{Math.Max(1, counts.Total)}" value="{done}" aria-label="{words}"></progress><span>{words}</span></span>""");
    }

    /// <summary>The non-zero item counts, e.g. "2 succeeded · 1 failed · 1 skipped".</summary>
    private static HtmlRaw CountsText(JobCounts counts)
    {
        var parts = ItemStatuses.Where(s => counts[s] > 0).Select(s => Html.Of($"{UiFormat.Count(counts[s])} {s.ToWire()}")).ToList();
        return parts.Count == 0 ? Html.Of($"no items") : new HtmlRaw(string.Join(" · ", parts.Select(p => p.Value)));
    }

    /// <summary>The item's prompt (a speech item's input, a text item's last message) from its stored request, or null.</summary>
    private static string? Prompt(string spec)
    {
        try
        {
            using var document = JsonDocument.Parse(spec);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var root = document.RootElement;
            foreach (var name in (string[])["prompt", "input"])
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString();
                }
            }

            // A text item's prompt is stored as its last message.
            return root.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array && messages.GetArrayLength() > 0
                && messages[messages.GetArrayLength() - 1] is { ValueKind: JsonValueKind.Object } last
                && last.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String
                ? content.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static IResult NotFound(HttpContext http, string id) => UiPage.Render(
        http,
        "Job not found",
        "jobs",
        Html.Of($"""<h1>Job not found</h1><p>No job <code>{id}</code>. <a href="/ui/jobs">All jobs</a></p>"""),
        StatusCodes.Status404NotFound);

    /// <summary>The filters as the store takes them, or the first parameter that is wrong.</summary>
    private static (JobQuery? Query, Problem? Problem) Parse(IQueryCollection query)
    {
        string? Value(string name) => query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0]!.Trim() : null;
        JobStatus? status = null;
        if (Value("status") is { } statusText)
        {
            var parsed = Enum.GetValues<JobStatus>().Where(s => s.ToWire() == statusText).Select(s => (JobStatus?)s).FirstOrDefault();
            if (parsed is null)
            {
                return (null, new Problem("status", $"'{statusText}' is not a job status; use {string.Join(", ", Enum.GetValues<JobStatus>().Select(s => s.ToWire()))}."));
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
        if (after is not null && !after.StartsWith("job_", StringComparison.Ordinal))
        {
            return (null, new Problem("after", $"'{after}' is not a job id; use the Older jobs link."));
        }

        return (new JobQuery { OwnerKeyId = Value("key"), Status = status, After = after, Limit = limit }, null);
    }

    private static HtmlRaw FilterForm(IQueryCollection query, string? invalid)
    {
        string Get(string name) => query[name].ToString();
        HtmlRaw Invalid(string name) => invalid == name ? new HtmlRaw(" aria-invalid=\"true\"") : HtmlRaw.Empty;
        var statuses = HtmlRaw.Join(Enum.GetValues<JobStatus>().Select(s => s.ToWire()).Select(s =>
            Html.Of($"<option value=\"{s}\"{(s == Get("status") ? new HtmlRaw(" selected") : HtmlRaw.Empty)}>{s}</option>")));
        return Html.Of($"""
            <section class="panel" aria-labelledby="h-filters"><h2 id="h-filters" class="visually-hidden">Filters</h2>
            <form class="filters" method="get" action="/ui/jobs" aria-label="Job filters">
              <div><label for="f-status">Status</label><select id="f-status" name="status"{Invalid("status")}><option value="">any</option>{statuses}</select></div>
              <div><label for="f-key">Owner key</label><input type="text" id="f-key" name="key" value="{Get("key")}" placeholder="key_…"{Invalid("key")}></div>
              <div><label for="f-limit">Limit</label><input type="text" id="f-limit" name="limit" value="{Get("limit")}" placeholder="{DefaultLimit}"{Invalid("limit")}></div>
              <div><button type="submit">Filter</button> <a class="button secondary" href="/ui/jobs">Clear</a></div>
            </form></section>
            """);
    }

    private static string KeepFilters(IQueryCollection query) => string.Concat(FilterNames
        .Where(n => !string.IsNullOrWhiteSpace(query[n].ToString()))
        .Select(n => $"{n}={Uri.EscapeDataString(query[n].ToString())}&"));

    private static string? Shorten(string? text, int length) => text is null || text.Length <= length ? text : text[..length] + "…";

    private sealed record Problem(string Param, string Message);
}
