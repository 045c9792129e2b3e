using System.Globalization;
using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Ui;

/// <summary><c>GET /ui/alerts</c>: every alert rule's state and value (the data of <c>GET /v1/alerts</c>) and the recent transitions.</summary>
internal static class AlertsPage
{
    public static void Map(RouteGroupBuilder ui) => ui.MapGet("/alerts", Page);

    private static IResult Page(HttpContext http, AlertEvaluator evaluator)
    {
        var current = evaluator.Current.OrderBy(a => a.State == AlertState.Firing ? 0 : 1).ThenBy(a => a.Rule.Name, StringComparer.Ordinal).ToList();
        if (current.Count == 0)
        {
            return UiPage.Render(http, "Alerts", "alerts", Html.Of($"""<h1>Alerts</h1><section class="panel"><p>No alert rules are configured. Add them under <code>alerts.rules</code> in the config (success rate, error rate, circuit open, placeholder share).</p></section>"""));
        }

        var rows = HtmlRaw.Join(current.Select(a => Html.Of($"""
            <tr>
              <th scope="row">{a.Rule.Name}</th>
              <td>{UiPage.Badge(a.State.ToWire())}</td>
              <td>{a.Rule.Severity.ToWire()}</td>
              <td>{Condition(a.Rule)}</td>
              <td class="num">{Value(a.Rule, a.Value)}</td>
              <td>{UiFormat.TimeTag(a.Since)}</td>
              <td>{UiFormat.TimeTag(a.LastEvaluated)}</td>
            </tr>
            """)));
        var history = evaluator.History;
        var historyRows = HtmlRaw.Join(history.Select(t => Html.Of($"""<tr><td>{UiFormat.TimeTag(t.At)}</td><th scope="row">{t.Rule.Name}</th><td>{UiPage.Badge(t.From.ToWire())} → {UiPage.Badge(t.To.ToWire())}</td><td class="num">{Value(t.Rule, t.Value)}</td></tr>""")));
        var body = Html.Of($"""
            <h1>Alerts</h1>
            <section class="panel" aria-labelledby="h-rules"><h2 id="h-rules">Rules</h2>
            <div class="table-wrap"><table id="alert-rules"><thead><tr><th scope="col">Rule</th><th scope="col">State</th><th scope="col">Severity</th><th scope="col">Condition</th><th scope="col" class="num">Value</th><th scope="col">Since</th><th scope="col">Evaluated</th></tr></thead><tbody>{rows}</tbody></table></div>
            </section>
            <section class="panel" aria-labelledby="h-history"><h2 id="h-history">History</h2>
            {(history.Count == 0 ? Html.Of($"""<p class="muted">No rule has fired since the gateway started.</p>""") : Html.Of($"""<div class="table-wrap"><table id="alert-history"><thead><tr><th scope="col">When</th><th scope="col">Rule</th><th scope="col">Change</th><th scope="col" class="num">Value</th></tr></thead><tbody>{historyRows}</tbody></table></div>"""))}
            </section>
            """);
        return UiPage.Render(http, "Alerts", "alerts", body);
    }

    private static string Condition(AlertRuleConfig rule)
    {
        var scope = (rule.Route is null ? string.Empty : $" route {rule.Route}") + (rule.Provider is null ? string.Empty : $" provider {rule.Provider}");
        return rule.Kind switch
        {
            AlertKind.CircuitOpen => $"circuit of {rule.Provider} open for {Duration.Format(rule.For)}",
            AlertKind.SuccessRate => $"success rate{scope} below {UiFormat.Percent(rule.Below)} over {Duration.Format(rule.Window)}",
            AlertKind.ErrorRate => $"{rule.ErrorClass?.ToWire()} rate{scope} above {UiFormat.Percent(rule.Above)} over {Duration.Format(rule.Window)}",
            AlertKind.PlaceholderShare => $"placeholder share{scope} above {UiFormat.Percent(rule.Above)} over {Duration.Format(rule.Window)}",
            _ => rule.Kind.ToString(),
        } + (rule.For > TimeSpan.Zero && rule.Kind != AlertKind.CircuitOpen ? $" for {Duration.Format(rule.For)}" : string.Empty);
    }

    private static string Value(AlertRuleConfig rule, double? value) => value is not { } v ? "no verdict"
        : rule.Kind == AlertKind.CircuitOpen ? v.ToString("0", CultureInfo.InvariantCulture) + " s open"
        : UiFormat.Percent(v);
}
