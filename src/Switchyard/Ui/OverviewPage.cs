using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Resilience;
using Switchyard.Routing;
using Switchyard.Webhooks;

namespace Switchyard.Ui;

/// <summary>
/// <c>GET /ui</c>: per route and provider, outcome and latency time series, error classes and skip reasons,
/// circuit states, firing alerts and the placeholder's share. <c>GET /ui/overview/live</c> is the same content
/// without the page around it, which the served script re-fetches every few seconds.
/// </summary>
internal static class OverviewPage
{
    /// <summary>How often the page re-fetches its content by default (<c>?refresh=</c> sets 2 to 300 seconds).</summary>
    public const int RefreshSeconds = 10;

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/", PageAsync);
        ui.MapGet("/overview/live", LiveAsync);
    }

    private static async Task<IResult> PageAsync(HttpContext http, OverviewData data)
    {
        var selection = Selection.From(http.Request.Query, data.Config);
        var live = await LiveContentAsync(selection, data, http.RequestAborted);
        var windows = HtmlRaw.Join(OverviewWindow.All.Select(w => Option(w.Name, $"last {w.Name}", selection.Window.Name)));
        var routes = HtmlRaw.Join(data.Config.Routes.Keys.Order(StringComparer.Ordinal).Select(r => Option(r, r, selection.Route)));
        var providers = HtmlRaw.Join(data.Config.Providers.Keys.Order(StringComparer.Ordinal).Select(p => Option(p, p, selection.Provider)));
        var body = Html.Of($"""
            <h1>Overview</h1>
            <div class="toolbar">
              <form method="get" action="/ui" aria-label="Overview selection">
                <div><label for="window">Window</label><select id="window" name="window">{windows}</select></div>
                <div><label for="route">Route</label><select id="route" name="route"><option value="">all routes</option>{routes}</select></div>
                <div><label for="provider">Provider (charts)</label><select id="provider" name="provider"><option value="">whole runs</option>{providers}</select></div>
                <div><button type="submit">Show</button></div>
              </form>
              <div class="refresh"><input type="checkbox" id="auto-refresh" checked><label for="auto-refresh">Refresh every {selection.Refresh}s</label>
                <span id="refresh-status" role="status" aria-live="polite"></span></div>
            </div>
            <div id="live" data-refresh="/ui/overview/live{selection.Query}" data-interval="{selection.Refresh}">
            {live}
            </div>
            """);
        return UiPage.Render(http, "Overview", "overview", body);
    }

    private static async Task<IResult> LiveAsync(HttpContext http, OverviewData data)
    {
        var selection = Selection.From(http.Request.Query, data.Config);
        var live = await LiveContentAsync(selection, data, http.RequestAborted);
        return Results.Content(live.Value, UiPage.ContentType);
    }

    private static async Task<HtmlRaw> LiveContentAsync(Selection selection, OverviewData data, CancellationToken cancellationToken)
    {
        var until = data.Time.GetUtcNow();
        var since = until - selection.Window.Span;
        var all = await data.Ledger.GetRunFactsAsync(new StatsQuery { Since = since, Until = until }, cancellationToken);
        var facts = selection.Route is null ? all : [.. all.Where(f => f.Route == selection.Route)];
        var overall = LedgerStatistics.Compute(facts, StatsGrouping.None).Overall;
        var byRoute = LedgerStatistics.Compute(facts, StatsGrouping.Route).Groups;
        var byProvider = LedgerStatistics.Compute(facts, StatsGrouping.Provider).Groups;
        var finished = facts.Where(f => f.Outcome is not null).ToList();
        var placeholder = finished.Count(f => f.ServedProvider is { } p && data.Config.Providers.TryGetValue(p, out var c) && c.Type == "placeholder");
        var placeholderShare = finished.Count == 0 ? (double?)null : (double)placeholder / finished.Count;
        var firing = data.Alerts.Current.Where(a => a.State == AlertState.Firing).ToList();
        var circuits = data.Config.Providers.Keys.Order(StringComparer.Ordinal).Select(p => (Provider: p, State: data.Pipelines.CircuitState(p))).ToList();
        var open = circuits.Count(c => c.State != "closed");
        var failedWebhooks = await WebhooksPage.CountFailedSinceAsync(data.Webhooks, since, cancellationToken);

        var subject = selection.Provider is { } provider
            ? $"attempts on {provider}" + (selection.Route is { } r ? $" in route {r}" : string.Empty)
            : "runs" + (selection.Route is { } r2 ? $" of route {r2}" : " of every route");
        var series = selection.Provider is { } p2
            ? OverviewSeries.ForProvider(facts, since, until, selection.Window.Bucket, p2, null)
            : OverviewSeries.ForRuns(facts, since, until, selection.Window.Bucket, null);
        var bucket = UiFormat.Duration(selection.Window.Bucket);
        var bands = selection.Provider is null
            ? new[] { new ChartSeries("success", "#1f8a4c", "s-success", series.Good), new ChartSeries("degraded", "#d69e2e", "s-degraded", series.Middle), new ChartSeries("failed", "#c53030", "s-failed", series.Bad) }
            : [new ChartSeries("success", "#1f8a4c", "s-success", series.Good), new ChartSeries("skipped", "#a0aec0", "s-skipped", series.Middle), new ChartSeries("failed", "#c53030", "s-failed", series.Bad)];
        var counts = SvgChart.StackedArea(
            "chart-outcomes",
            $"Outcomes of {subject} per {bucket}",
            $"Stacked counts per {bucket} over the last {selection.Window.Name}: {string.Join(", ", bands.Select(b => $"{b.Name} {b.Values.Sum(v => v ?? 0)}"))}.",
            series.Buckets,
            bands,
            "count");
        var latency = SvgChart.Lines(
            "chart-latency",
            $"Latency of {subject} per {bucket}",
            $"p50, p95 and p99 latency in milliseconds per {bucket} over the last {selection.Window.Name}; gaps are buckets without finished {(selection.Provider is null ? "runs" : "attempts")}.",
            series.Buckets,
            [new ChartSeries("p50", "#2456c7", "s-p50", series.P50), new ChartSeries("p95", "#805ad5", "s-p95", series.P95), new ChartSeries("p99", "#d53f8c", "s-p99", series.P99)],
            "ms");

        return Html.Of($"""
            <p class="muted small">Last {selection.Window.Name} to {UiFormat.TimeTag(until)} · {UiFormat.Count(overall.Runs)} runs{(selection.Route is { } sr ? $" of route {sr}" : string.Empty)}</p>
            <div class="tiles">
              {Tile("Runs", UiFormat.Count(overall.Runs), null)}
              {Tile("Success", UiFormat.Percent(overall.SuccessRate), overall.SuccessRate is null ? null : "ok")}
              {Tile("Degraded", UiFormat.Percent(overall.DegradedRate), overall.DegradedRate > 0 ? "warn" : null)}
              {Tile("Failed", UiFormat.Percent(overall.FailedRate), overall.FailedRate > 0 ? "bad" : null)}
              {Tile("p95 latency", UiFormat.Ms(overall.LatencyMs.P95), null)}
              {Tile("Placeholder share", UiFormat.Percent(placeholderShare), placeholderShare > 0 ? "warn" : null)}
              {Tile("Firing alerts", UiFormat.Count(firing.Count), firing.Count > 0 ? "bad" : "ok")}
              {Tile("Open circuits", UiFormat.Count(open), open > 0 ? "bad" : "ok")}
              {WebhookTile(failedWebhooks, selection.Window)}
            </div>
            <div class="grid">
              {UiPage.Panel("h-outcomes", "Outcomes", counts)}
              {UiPage.Panel("h-latency", "Latency", latency)}
            </div>
            {UiPage.Panel("h-routes", "Routes", RouteTable(byRoute, selection.Window))}
            {UiPage.Panel("h-providers", "Providers", ProviderTable(byProvider, circuits))}
            <div class="grid">
              {UiPage.Panel("h-errors", "Error classes", Breakdown("Error classes met by attempts and runs", overall.ErrorClasses.ToDictionary(e => e.Key.ToWire(), e => e.Value), "error_class", selection.Window))}
              {UiPage.Panel("h-skips", "Skip reasons", Breakdown("Why attempts were skipped", overall.SkipReasons.ToDictionary(e => e.Key.ToWire(), e => e.Value), "skip_reason", selection.Window))}
            </div>
            <div class="grid">
              {UiPage.Panel("h-circuits", "Circuits", CircuitTable(circuits, data))}
              {UiPage.Panel("h-firing", "Firing alerts", FiringList(firing, data.Alerts.Current.Count))}
            </div>
            """);
    }

    private static HtmlRaw Tile(string label, string value, string? tone) =>
        Html.Of($"""<div class="tile"><div class="label">{label}</div><div class="value {tone}">{value}</div></div>""");

    // The list has no time filter: it shows every failed delivery newest first, so the ones counted here come first.
    private static HtmlRaw WebhookTile(int failed, OverviewWindow window) => Html.Of($"""
        <div class="tile" id="tile-webhooks-failed"><div class="label">Failed webhooks</div>
        <div class="value {(failed > 0 ? "bad" : "ok")}"><a href="/ui/webhooks?status=failed" aria-label="{failed} webhook deliveries created in the last {window.Name} failed; show failed deliveries">{(failed >= WebhooksPage.MaxCounted ? UiFormat.Count(failed) + "+" : UiFormat.Count(failed))}</a></div></div>
        """);

    private static HtmlRaw Option(string value, string text, string? selected) =>
        Html.Of($"""<option value="{value}"{(value == selected ? new HtmlRaw(" selected") : HtmlRaw.Empty)}>{text}</option>""");

    private static HtmlRaw RouteTable(IReadOnlyList<StatsGroup> groups, OverviewWindow window)
    {
        if (groups.Count == 0)
        {
            return Html.Of($"""<p class="muted">No runs in this window.</p>""");
        }

        var rows = HtmlRaw.Join(groups.Select(g => Html.Of($"""
            <tr><th scope="row"><a href="/ui?window={window.Name}&amp;route={Uri.EscapeDataString(g.Group ?? string.Empty)}">{g.Group}</a></th>
            <td class="num">{UiFormat.Count(g.Runs)}</td><td class="num">{UiFormat.Percent(g.SuccessRate)}</td><td class="num">{UiFormat.Percent(g.DegradedRate)}</td>
            <td class="num">{UiFormat.Percent(g.FailedRate)}</td><td class="num">{UiFormat.Percent(g.FallbackRate)}</td>
            <td class="num">{UiFormat.Ms(g.LatencyMs.P50)}</td><td class="num">{UiFormat.Ms(g.LatencyMs.P95)}</td><td class="num">{UiFormat.Ms(g.LatencyMs.P99)}</td>
            <td><a href="/ui/runs?route={Uri.EscapeDataString(g.Group ?? string.Empty)}&amp;outcome=failed&amp;since={window.Name}">failed runs</a></td></tr>
            """)));
        return Html.Of($"""
            <div class="table-wrap"><table id="route-table">
            <thead><tr><th scope="col">Route</th><th scope="col" class="num">Runs</th><th scope="col" class="num">Success</th><th scope="col" class="num">Degraded</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Fallback</th><th scope="col" class="num">p50</th><th scope="col" class="num">p95</th><th scope="col" class="num">p99</th><th scope="col">Ledger</th></tr></thead>
            <tbody>{rows}</tbody></table></div>
            """);
    }

    private static HtmlRaw ProviderTable(IReadOnlyList<StatsGroup> groups, IReadOnlyList<(string Provider, string State)> circuits)
    {
        if (groups.Count == 0)
        {
            return Html.Of($"""<p class="muted">No attempts in this window.</p>""");
        }

        var rows = HtmlRaw.Join(groups.Select(g =>
        {
            var state = circuits.FirstOrDefault(c => c.Provider == g.Group).State;
            return Html.Of($"""
                <tr><th scope="row"><a href="/ui/providers#provider-{g.Group}">{g.Group}</a></th>
                <td class="num">{UiFormat.Count(g.Attempts.Count)}</td><td class="num">{UiFormat.Percent(g.Attempts.SuccessRate)}</td>
                <td class="num">{UiFormat.Percent(g.Attempts.FailedRate)}</td><td class="num">{UiFormat.Percent(g.Attempts.SkippedRate)}</td>
                <td class="num">{UiFormat.Ms(g.Attempts.LatencyMs.P50)}</td><td class="num">{UiFormat.Ms(g.Attempts.LatencyMs.P95)}</td><td class="num">{UiFormat.Ms(g.Attempts.LatencyMs.P99)}</td>
                <td>{UiPage.Badge(state)}</td></tr>
                """);
        }));
        return Html.Of($"""
            <div class="table-wrap"><table id="provider-table">
            <thead><tr><th scope="col">Provider</th><th scope="col" class="num">Attempts</th><th scope="col" class="num">Success</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Skipped</th><th scope="col" class="num">p50</th><th scope="col" class="num">p95</th><th scope="col" class="num">p99</th><th scope="col">Circuit</th></tr></thead>
            <tbody>{rows}</tbody></table></div>
            """);
    }

    private static HtmlRaw Breakdown(string caption, Dictionary<string, int> counts, string filter, OverviewWindow window)
    {
        if (counts.Count == 0)
        {
            return Html.Of($"""<p class="muted">None in this window.</p>""");
        }

        var max = counts.Values.Max();
        var rows = HtmlRaw.Join(counts.OrderByDescending(c => c.Value).ThenBy(c => c.Key, StringComparer.Ordinal).Select(c => Html.Of($"""
            <tr><th scope="row"><a href="/ui/runs?{filter}={c.Key}&amp;since={window.Name}">{c.Key}</a></th>
            <td><meter min="0" max="{max}" value="{c.Value}" aria-label="{c.Key}">{c.Value}</meter></td><td class="num">{UiFormat.Count(c.Value)}</td></tr>
            """)));
        return Html.Of($"""<table id="{filter}-table"><caption class="visually-hidden">{caption}</caption><thead><tr><th scope="col">{(filter == "error_class" ? "Class" : "Reason")}</th><th scope="col">Share</th><th scope="col" class="num">Count</th></tr></thead><tbody>{rows}</tbody></table>""");
    }

    private static HtmlRaw CircuitTable(IReadOnlyList<(string Provider, string State)> circuits, OverviewData data)
    {
        var rows = HtmlRaw.Join(circuits.Select(c =>
        {
            var last = data.Pipelines.Transitions.LastOrDefault(t => t.Provider == c.Provider);
            var problem = data.Providers.TryGet(c.Provider, out var p) ? data.Health.Problem(p) : null;
            return Html.Of($"""<tr><th scope="row">{c.Provider}</th><td>{UiPage.Badge(c.State)}</td><td>{(last is null ? Html.Of($"since start") : UiFormat.TimeTag(last.At))}</td><td>{(problem is null ? Html.Of($"<span class=\"muted\">usable</span>") : Html.Of($"{problem}"))}</td></tr>""");
        }));
        return Html.Of($"""<div class="table-wrap"><table id="circuit-table"><thead><tr><th scope="col">Provider</th><th scope="col">Circuit</th><th scope="col">Since</th><th scope="col">Health</th></tr></thead><tbody>{rows}</tbody></table></div>""");
    }

    private static HtmlRaw FiringList(List<AlertStatus> firing, int rules)
    {
        if (rules == 0)
        {
            return Html.Of($"""<p class="muted">No alert rules are configured (<code>alerts.rules</code>).</p>""");
        }

        if (firing.Count == 0)
        {
            return Html.Of($"""<p>{UiPage.Badge("ok")} None of the {rules} rules is firing. <a href="/ui/alerts">All rules</a></p>""");
        }

        var items = HtmlRaw.Join(firing.Select(a => Html.Of($"""<li>{UiPage.Badge("firing")} <strong>{a.Rule.Name}</strong> ({a.Rule.Severity.ToWire()}) since {UiFormat.TimeTag(a.Since)}</li>""")));
        return Html.Of($"""<ul id="firing-alerts">{items}</ul><p><a href="/ui/alerts">All rules and history</a></p>""");
    }

    /// <summary>What the overview shows: window, route (filters everything) and provider (charts its attempts).</summary>
    private sealed record Selection(OverviewWindow Window, string? Route, string? Provider, int Refresh)
    {
        public string Query => "?window=" + Uri.EscapeDataString(Window.Name)
            + (Route is null ? string.Empty : "&route=" + Uri.EscapeDataString(Route))
            + (Provider is null ? string.Empty : "&provider=" + Uri.EscapeDataString(Provider));

        public static Selection From(IQueryCollection query, SwitchyardConfig config)
        {
            var route = query["route"].ToString();
            var provider = query["provider"].ToString();
            var refresh = int.TryParse(query["refresh"].ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
                ? Math.Clamp(seconds, 2, 300)
                : RefreshSeconds;
            return new Selection(
                OverviewWindow.Parse(query["window"].ToString()),
                config.Routes.ContainsKey(route) ? route : null,
                config.Providers.ContainsKey(provider) ? provider : null,
                refresh);
        }
    }
}

/// <summary>The in-process services the overview reads (no HTTP calls to the gateway's own API).</summary>
internal sealed record OverviewData(SwitchyardConfig Config, ILedger Ledger, AlertEvaluator Alerts, ProviderPipelines Pipelines, ProviderHealth Health, ProviderRegistry Providers, IWebhookDeliveryStore Webhooks, TimeProvider Time);
