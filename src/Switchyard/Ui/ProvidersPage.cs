using System.Collections.Concurrent;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Resilience;
using Switchyard.Routing;

namespace Switchyard.Ui;

/// <summary><c>GET /ui/providers</c>: per provider, the doctor's checks, its limits and current use, its circuit and the circuit's history.</summary>
internal static class ProvidersPage
{
    public static void Map(RouteGroupBuilder ui) => ui.MapGet("/providers", PageAsync);

    private static async Task<IResult> PageAsync(HttpContext http, OverviewData data, ProviderChecks doctor)
    {
        var now = data.Time.GetUtcNow();
        var facts = await data.Ledger.GetRunFactsAsync(new StatsQuery { Since = now.AddHours(-1), Until = now }, http.RequestAborted);
        var checks = await doctor.GetAsync(http.Query("recheck") == "1", http.RequestAborted);
        var sections = new List<HtmlRaw>();
        foreach (var config in data.Config.Providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            sections.Add(Provider(config, data, facts, checks.Checks.GetValueOrDefault(config.Name) ?? [], now));
        }

        var body = Html.Of($"""
            <h1>Providers</h1>
            <div class="toolbar"><p class="muted small">Checks from {UiFormat.TimeTag(checks.At)} (zero-cost probes, as <code>switchyard doctor</code> runs them; kept for a minute).</p>
            <form method="get" action="/ui/providers"><input type="hidden" name="recheck" value="1"><button type="submit" class="secondary">Check again</button></form></div>
            {HtmlRaw.Join(sections)}
            """);
        return UiPage.Render(http, "Providers", "providers", body);
    }

    private static HtmlRaw Provider(ProviderConfig config, OverviewData data, IReadOnlyList<RunFacts> lastHour, IReadOnlyList<DoctorCheck> checks, DateTimeOffset now)
    {
        var name = config.Name;
        var attempts = lastHour.SelectMany(r => r.Attempts.Select(a => (r.StartedAt, a))).Where(x => x.a.Provider == name).ToList();
        var lastMinute = attempts.Count(x => x.StartedAt >= now.AddMinutes(-1) && x.a.Status is AttemptStatus.Success or AttemptStatus.Failed or AttemptStatus.Started);
        var made = attempts.Count(x => x.a.Status is AttemptStatus.Success or AttemptStatus.Failed);
        var failed = attempts.Count(x => x.a.Status == AttemptStatus.Failed);
        var skipped = attempts.Count(x => x.a.Status == AttemptStatus.Skipped);
        var inFlight = attempts.Count(x => x.a.Status == AttemptStatus.Started);
        var state = data.Pipelines.CircuitState(name);
        var live = data.Providers.TryGet(name, out var provider) ? data.Health.Problem(provider) : null;
        var history = data.Pipelines.Transitions.Where(t => t.Provider == name).Reverse().Take(20).ToList();
        var rate = config.RateLimit;
        var checkRows = HtmlRaw.Join(checks.Select(c => Html.Of($"""<tr><td>{UiPage.Badge(c.Status.ToString().ToLowerInvariant())}</td><th scope="row">{c.Subject}</th><td>{c.Cause}</td><td>{c.Fix ?? "—"}</td></tr>""")));
        var historyRows = history.Count == 0
            ? Html.Of($"""<p class="muted small">Closed since the gateway started; no transitions.</p>""")
            : Html.Of($"""<table><thead><tr><th scope="col">When</th><th scope="col">State</th></tr></thead><tbody>{HtmlRaw.Join(history.Select(t => Html.Of($"<tr><td>{UiFormat.TimeTag(t.At)}</td><td>{UiPage.Badge(t.State)}</td></tr>")))}</tbody></table>""");
        var routes = data.Config.Routes.Values.Where(r => r.Chain.Any(s => s.Provider == name)).Select(r => r.Name).Order(StringComparer.Ordinal).ToList();
        return Html.Of($"""
            <section class="panel" aria-labelledby="provider-{name}" id="provider-{name}-section">
              <h2 id="provider-{name}">{name} <span class="muted small">({config.Type})</span> {UiPage.Badge(state)}</h2>
              {(live is null ? HtmlRaw.Empty : UiPage.Notice("error", live))}
              <div class="grid">
                <div>
                  <h3>Settings and limits</h3>
                  <dl class="facts">
                    <dt>Base URL</dt><dd>{config.BaseUrl ?? "—"}</dd>
                    <dt>Routes</dt><dd>{(routes.Count == 0 ? "none" : string.Join(", ", routes))}</dd>
                    <dt>Timeout</dt><dd>{Duration.Format(config.Timeout)} per attempt, {Duration.Format(config.TotalTimeout)} in all</dd>
                    <dt>Retry</dt><dd>{config.Retry.MaxAttempts} attempts, {Duration.Format(config.Retry.BaseDelay)}–{Duration.Format(config.Retry.MaxDelay)} backoff</dd>
                    <dt>Circuit breaker</dt><dd>opens at {UiFormat.Percent(config.CircuitBreaker.FailureRatio)} failures of at least {config.CircuitBreaker.MinimumThroughput} in {Duration.Format(config.CircuitBreaker.Sampling)}, for {Duration.Format(config.CircuitBreaker.Break)}</dd>
                    <dt>Rate limit</dt><dd>{(rate.Rpm > 0 ? $"{rate.Rpm} per minute" : "no rpm limit")}, {(rate.Concurrency > 0 ? $"{rate.Concurrency} at once" : "no concurrency limit")}</dd>
                  </dl>
                </div>
                <div>
                  <h3>Use</h3>
                  <dl class="facts">
                    <dt>Last minute</dt><dd>{lastMinute} attempts{(rate.Rpm > 0 ? $" of {rate.Rpm} allowed" : string.Empty)}{(rate.Rpm > 0 ? Html.Of($" <meter min=\"0\" max=\"{rate.Rpm}\" value=\"{Math.Min(lastMinute, rate.Rpm)}\" aria-label=\"rate limit use\"></meter>") : HtmlRaw.Empty)}</dd>
                    <dt>In flight</dt><dd>{inFlight}{(rate.Concurrency > 0 ? $" of {rate.Concurrency}" : string.Empty)}</dd>
                    <dt>Last hour</dt><dd>{made} made, {failed} failed, {skipped} skipped</dd>
                  </dl>
                  <p class="small"><a href="/ui/runs?provider={Uri.EscapeDataString(name)}&amp;since=1h">Runs that tried {name}</a> · <a href="/ui?provider={Uri.EscapeDataString(name)}">Charts</a></p>
                </div>
                <div><h3>Circuit history</h3>{historyRows}</div>
              </div>
              <h3>Doctor</h3>
              <div class="table-wrap"><table class="doctor"><thead><tr><th scope="col">Result</th><th scope="col">Check</th><th scope="col">Cause</th><th scope="col">Fix</th></tr></thead><tbody>{checkRows}</tbody></table></div>
            </section>
            """);
    }

    private static string? Query(this HttpContext http, string name) => http.Request.Query[name].ToString();
}

/// <summary>
/// The doctor's provider checks against the gateway's own providers, kept for a minute: probes are free, but a
/// dashboard that re-renders should not call every upstream on every view.
/// </summary>
internal sealed class ProviderChecks : IDisposable
{
    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(5);

    private readonly SwitchyardConfig _config;
    private readonly ProviderRegistry _providers;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Snapshot? _last;

    public ProviderChecks(SwitchyardConfig config, ProviderRegistry providers, TimeProvider time)
    {
        _config = config;
        _providers = providers;
        _time = time;
    }

    public void Dispose() => _gate.Dispose();

    public async Task<Snapshot> GetAsync(bool fresh, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (!fresh && _last is { } last && _time.GetUtcNow() - last.At < Keep)
            {
                return last;
            }

            var results = new ConcurrentDictionary<string, IReadOnlyList<DoctorCheck>>(StringComparer.Ordinal);
            await Task.WhenAll(_config.Providers.Values.Select(async config =>
            {
                var (checks, _) = await Doctor.CheckProviderAsync(_config, config, _providers.Get(config.Name), ProbeTimeout, cancellationToken);
                results[config.Name] = checks;
            }));
            _last = new Snapshot(_time.GetUtcNow(), results);
            return _last;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The checks per provider name, and when they were made.</summary>
    public sealed record Snapshot(DateTimeOffset At, IReadOnlyDictionary<string, IReadOnlyList<DoctorCheck>> Checks);
}
