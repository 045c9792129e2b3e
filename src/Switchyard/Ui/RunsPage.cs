using System.Text.Json;
using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Http;
using Switchyard.Ledger;
using Switchyard.Questions;

namespace Switchyard.Ui;

/// <summary>
/// <c>GET /ui/runs</c>: the ledger explorer, with the filters of <c>GET /v1/runs</c>; <c>GET /ui/runs/{id}</c>: one
/// run with its attempt timeline and a preview of its stored output; <c>GET /ui/artifacts/{id}</c>: that output.
/// </summary>
internal static class RunsPage
{
    private static readonly string[] FilterNames = ["outcome", "error_class", "skip_reason", "route", "provider", "model", "preset", "key", "since", "until", "limit"];

    public static void Map(RouteGroupBuilder ui)
    {
        ui.MapGet("/runs", ListAsync);
        ui.MapGet("/runs/{id}", ShowAsync);
        ui.MapGet("/artifacts/{id}", ArtifactAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, LedgerQuestions questions, SwitchyardConfig config, TimeProvider time)
    {
        var query = http.Request.Query;
        string? Value(string name) => query.TryGetValue(name, out var v) && v.Count > 0 && !string.IsNullOrWhiteSpace(v[0]) ? v[0] : null;
        var input = new RunFilterInput
        {
            Outcome = Value("outcome"),
            ErrorClass = Value("error_class"),
            SkipReason = Value("skip_reason"),
            Route = Value("route"),
            Provider = Value("provider"),
            Model = Value("model"),
            Preset = Value("preset"),
            Key = Value("key"),
            Since = Value("since"),
            Until = Value("until"),
            Limit = Value("limit"),
            After = Value("after"),
        };
        var (parsed, problem) = QuestionParameters.ParseRuns(input, time.GetUtcNow());
        var form = FilterForm(query, config, problem);
        if (problem is not null)
        {
            var error = UiPage.Notice("error", $"{problem.Param}: {problem.Message}");
            return UiPage.Render(http, "Runs", "runs", Html.Of($"<h1>Runs</h1>{form}{error}"), StatusCodes.Status400BadRequest);
        }

        var page = await questions.ListAsync(parsed!, http.RequestAborted);
        var rows = HtmlRaw.Join(page.Data.Select(r => Html.Of($"""
            <tr>
              <td class="mono small">{UiFormat.TimeTag(r.StartedAt)}</td>
              <th scope="row"><a class="mono" href="/ui/runs/{r.Id}">{r.Id}</a></th>
              <td>{r.Route}</td>
              <td>{UiPage.Badge(r.Outcome ?? "running")}</td>
              <td>{(r.Provider is null ? "—" : r.ServedModel is null ? r.Provider : r.Provider + "/" + r.ServedModel)}</td>
              <td class="num">{r.AttemptCount}</td>
              <td class="num">{UiFormat.Ms(r.DurationMs)}</td>
              <td>{r.ErrorClass ?? "—"}</td>
              <td class="small">{Shorten(r.PromptPreview, 80)}</td>
            </tr>
            """)));
        var table = page.Data.Count == 0
            ? Html.Of($"""<p class="muted">No runs match these filters.</p>""")
            : Html.Of($"""
                <div class="table-wrap"><table id="runs-table">
                <caption>{page.Data.Count} runs, newest first</caption>
                <thead><tr><th scope="col">Started</th><th scope="col">Run</th><th scope="col">Route</th><th scope="col">Outcome</th><th scope="col">Served by</th><th scope="col" class="num">Attempts</th><th scope="col" class="num">Duration</th><th scope="col">Error class</th><th scope="col">Prompt</th></tr></thead>
                <tbody>{rows}</tbody></table></div>
                """);
        var pager = page.HasMore
            ? Html.Of($"""<nav class="pager" aria-label="Pages"><a class="button secondary" href="/ui/runs?{KeepFilters(query)}after={page.NextCursor}">Older runs</a></nav>""")
            : HtmlRaw.Empty;
        return UiPage.Render(http, "Runs", "runs", Html.Of($"""<h1>Runs</h1>{form}<section class="panel" aria-label="Matching runs">{table}{pager}</section>"""));
    }

    private static async Task<IResult> ShowAsync(string id, HttpContext http, LedgerQuestions questions, IArtifactStore artifacts)
    {
        var run = await questions.ShowAsync(id, keyId: null, http.RequestAborted);
        if (run is null)
        {
            return UiPage.Render(http, "Run not found", "runs", Html.Of($"""<h1>Run not found</h1><p>No run <code>{id}</code> in the ledger (it may be older than the retention). <a href="/ui/runs">All runs</a></p>"""), StatusCodes.Status404NotFound);
        }

        var attempts = run.Attempts ?? [];
        var facts = Html.Of($"""
            <dl class="facts">
              <dt>Outcome</dt><dd>{UiPage.Badge(run.Outcome ?? "running")}{(run.HttpStatus is { } status ? Html.Of($" <span class=\"muted\">HTTP {status}</span>") : HtmlRaw.Empty)}</dd>
              <dt>Started</dt><dd>{UiFormat.TimeTag(run.StartedAt)}</dd>
              <dt>Duration</dt><dd>{UiFormat.Ms(run.DurationMs)}</dd>
              <dt>Route</dt><dd>{run.Route}{(run.Preset is { } preset ? $" (preset {preset})" : string.Empty)}</dd>
              <dt>Model asked for</dt><dd><code>{run.RequestedModel}</code> via <code>{run.Endpoint}</code></dd>
              <dt>Served by</dt><dd>{(run.Provider is null ? "—" : $"{run.Provider}{(run.ServedModel is null ? string.Empty : "/" + run.ServedModel)} (tier {run.Tier})")}{(run.CacheHit ? " · from the cache" : string.Empty)}</dd>
              <dt>Error class</dt><dd>{run.ErrorClass ?? "—"}</dd>
              <dt>Key</dt><dd><code>{run.KeyId ?? "—"}</code></dd>
              <dt>Cost</dt><dd>{(run.CostUsd is { } cost ? "$" + cost.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture) : "—")}</dd>
              <dt>Trace</dt><dd><code>{run.TraceId ?? "—"}</code></dd>
              {(run.JobId is { } job ? Html.Of($"<dt>Job</dt><dd><code>{job}</code> item <code>{run.ItemId}</code></dd>") : HtmlRaw.Empty)}
            </dl>
            """);
        var message = run.ErrorMessage is { } m ? UiPage.Notice(run.Outcome == "failed" ? "error" : "info", m) : HtmlRaw.Empty;
        var prompt = run.PromptPreview is { } p ? Html.Of($"""<h3>Prompt (start, redacted)</h3><pre class="preview" id="prompt-preview">{p}</pre>""") : Html.Of($"""<p class="muted">No prompt recorded.</p>""");
        var output = await OutputPreviewAsync(run, artifacts, http.RequestAborted);
        var body = Html.Of($"""
            <p class="small"><a href="/ui/runs">← Runs</a></p>
            <h1>Run <span class="mono">{run.Id}</span></h1>
            {message}
            <div class="grid">
              {UiPage.Panel("h-run", "Summary", facts)}
              {UiPage.Panel("h-output", "Input and output", HtmlRaw.Join([prompt, output]))}
            </div>
            {UiPage.Panel("h-timeline", "Attempt timeline", HtmlRaw.Join([RunTimeline.Chart(run.StartedAt, run.DurationMs, attempts), RunTimeline.Table(run.StartedAt, attempts)]))}
            """);
        return UiPage.Render(http, $"Run {run.Id}", "runs", body);
    }

    private static async Task<IResult> ArtifactAsync(string id, HttpContext http, IArtifactStore store)
    {
        // The dashboard is admin-only: an admin may see every key's artifacts, as over the API.
        var info = await store.GetInfoAsync(id, http.RequestAborted);
        if (info is null || await store.OpenReadAsync(id, http.RequestAborted) is not { } content)
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "private, max-age=300";
        return Results.Stream(content, info.ContentType, enableRangeProcessing: true);
    }

    private static async Task<HtmlRaw> OutputPreviewAsync(RunView run, IArtifactStore store, CancellationToken cancellationToken)
    {
        if (run.ResponseSummary is not { } summary)
        {
            return Html.Of($"""<h3>Output</h3><p class="muted">No output recorded{(run.Outcome == "failed" ? ": the run failed" : string.Empty)}.</p>""");
        }

        var parts = new List<HtmlRaw> { Html.Of($"<h3>Output</h3>") };
        var facts = new List<HtmlRaw>();
        var ids = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(summary);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Name == "artifacts" && property.Value.ValueKind == JsonValueKind.Array)
                {
                    ids.AddRange(property.Value.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
                    continue;
                }

                facts.Add(Html.Of($"<dt>{property.Name.Replace('_', ' ')}</dt><dd>{property.Value.ToString()}</dd>"));
            }
        }
        catch (JsonException)
        {
            facts.Add(Html.Of($"<dt>summary</dt><dd>{summary}</dd>"));
        }

        var media = new List<HtmlRaw>();
        foreach (var artifactId in ids)
        {
            var info = await store.GetInfoAsync(artifactId, cancellationToken);
            if (info is null)
            {
                media.Add(Html.Of($"""<p class="muted">Artifact <code>{artifactId}</code> is no longer stored.</p>"""));
            }
            else if (info.ContentType.StartsWith("image/", StringComparison.Ordinal))
            {
                media.Add(Html.Of($"""<a href="/ui/artifacts/{info.Id}"><img src="/ui/artifacts/{info.Id}" alt="Generated image {info.Id} for run {run.Id} ({info.ContentType}, {info.Bytes} bytes)"></a>"""));
            }
            else if (info.ContentType.StartsWith("audio/", StringComparison.Ordinal))
            {
                media.Add(Html.Of($"""<figure><audio controls preload="metadata" src="/ui/artifacts/{info.Id}" aria-label="Generated audio {info.Id}"></audio><figcaption class="small muted">{info.ContentType}, {info.Bytes} bytes</figcaption></figure>"""));
            }
            else if (info.ContentType.StartsWith("text/", StringComparison.Ordinal) || info.ContentType.Contains("json", StringComparison.Ordinal))
            {
                var text = await ReadTextAsync(store, info, cancellationToken);
                media.Add(Html.Of($"""<pre class="preview">{text}</pre>"""));
            }
            else
            {
                media.Add(Html.Of($"""<p><a href="/ui/artifacts/{info.Id}">{info.Id}</a> ({info.ContentType}, {info.Bytes} bytes)</p>"""));
            }
        }

        if (facts.Count > 0)
        {
            parts.Add(Html.Of($"""<dl class="facts">{HtmlRaw.Join(facts)}</dl>"""));
        }

        parts.Add(media.Count > 0
            ? Html.Of($"""<div class="thumbs" id="output-preview">{HtmlRaw.Join(media)}</div>""")
            : Html.Of($"""<p class="muted small">The output went straight to the client and was not stored (images are stored when asked for with <code>response_format: url</code>).</p>"""));
        return HtmlRaw.Join(parts);
    }

    private static async Task<string> ReadTextAsync(IArtifactStore store, ArtifactInfo info, CancellationToken cancellationToken)
    {
        await using var stream = await store.OpenReadAsync(info.Id, cancellationToken);
        if (stream is null)
        {
            return string.Empty;
        }

        var buffer = new char[4096];
        using var reader = new StreamReader(stream);
        var read = await reader.ReadBlockAsync(buffer, cancellationToken);
        return new string(buffer, 0, read) + (info.Bytes > read ? "\n…" : string.Empty);
    }

    private static HtmlRaw FilterForm(IQueryCollection query, SwitchyardConfig config, ParameterProblem? problem)
    {
        string Get(string name) => query[name].ToString();
        HtmlRaw Invalid(string name) => problem?.Param == name || (name == "outcome" && problem?.Param == "status") ? new HtmlRaw(" aria-invalid=\"true\"") : HtmlRaw.Empty;
        HtmlRaw Select(string name, string label, IEnumerable<string> values) => Html.Of($"""
            <div><label for="f-{name}">{label}</label><select id="f-{name}" name="{name}"{Invalid(name)}><option value="">any</option>{HtmlRaw.Join(values.Select(v => Html.Of($"<option value=\"{v}\"{(v == Get(name) ? new HtmlRaw(" selected") : HtmlRaw.Empty)}>{v}</option>")))}</select></div>
            """);
        HtmlRaw Text(string name, string label, string placeholder) => Html.Of($"""
            <div><label for="f-{name}">{label}</label><input type="text" id="f-{name}" name="{name}" value="{Get(name)}" placeholder="{placeholder}"{Invalid(name)}></div>
            """);
        return Html.Of($"""
            <section class="panel" aria-labelledby="h-filters"><h2 id="h-filters" class="visually-hidden">Filters</h2>
            <form class="filters" method="get" action="/ui/runs" aria-label="Run filters">
              {Select("outcome", "Outcome", Enum.GetValues<RunOutcome>().Select(o => o.ToWire()))}
              {Select("error_class", "Error class", Enum.GetValues<ErrorClass>().Select(e => e.ToWire()))}
              {Select("skip_reason", "Skip reason", Enum.GetValues<SkipReason>().Select(s => s.ToWire()))}
              {Select("route", "Route", config.Routes.Keys.Order(StringComparer.Ordinal))}
              {Select("provider", "Provider", config.Providers.Keys.Order(StringComparer.Ordinal))}
              {Text("model", "Model", "e.g. sandbox-image")}
              {Text("preset", "Preset", "preset name")}
              {Text("key", "Key id", "key_…")}
              {Text("since", "Since", "1h, 7d or ISO-8601")}
              {Text("until", "Until", "ISO-8601 or age")}
              {Text("limit", "Limit", "50")}
              <div><button type="submit">Filter</button> <a class="button secondary" href="/ui/runs">Clear</a></div>
            </form></section>
            """);
    }

    private static string KeepFilters(IQueryCollection query) => string.Concat(FilterNames
        .Where(n => !string.IsNullOrWhiteSpace(query[n].ToString()))
        .Select(n => $"{n}={Uri.EscapeDataString(query[n].ToString())}&"));

    private static string? Shorten(string? text, int length) => text is null || text.Length <= length ? text : text[..length] + "…";
}
