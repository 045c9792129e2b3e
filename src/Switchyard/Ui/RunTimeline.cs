using System.Globalization;
using Switchyard.Http;

namespace Switchyard.Ui;

/// <summary>A run's attempts on a time axis (a bar per attempt from its start, as long as it took) and as a table with the waits between them.</summary>
internal static class RunTimeline
{
    private const double Width = 1100;
    private const double Label = 210;
    private const double RowHeight = 26;

    public static HtmlRaw Chart(DateTimeOffset runStart, double? runMs, IReadOnlyList<AttemptView> attempts)
    {
        if (attempts.Count == 0)
        {
            return Html.Of($"""<p class="muted">This run made no attempt (it was refused before any provider was asked).</p>""");
        }

        var end = attempts.Select(a => Offset(runStart, a) + (a.DurationMs ?? 0)).Append(runMs ?? 0).Max();
        var scale = end <= 0 ? 1 : end;
        var height = (attempts.Count * RowHeight) + 28;
        var svg = new Html();
        var description = string.Join("; ", attempts.Select(a => $"{a.Seq}. {a.Provider}{(a.Model is null ? string.Empty : "/" + a.Model)} tier {a.Tier} retry {a.Retry}: {a.Status}{Why(a)} after {Ms(Offset(runStart, a))} for {Ms(a.DurationMs ?? 0)}"));
        svg.Add($"""<svg class="chart" viewBox="0 0 {Width} {height}" role="img" aria-labelledby="timeline-title timeline-desc" id="timeline"><title id="timeline-title">Attempt timeline over {Ms(end)}</title><desc id="timeline-desc">{description}</desc>""");
        for (var t = 0; t <= 4; t++)
        {
            var x = Label + ((Width - Label - 10) * t / 4);
            svg.Add($"""<line class="grid-line" x1="{Num(x)}" x2="{Num(x)}" y1="0" y2="{height - 20}"/><text x="{Num(x)}" y="{height - 6}" text-anchor="{(t == 4 ? "end" : "middle")}">{Ms(end * t / 4)}</text>""");
        }

        for (var i = 0; i < attempts.Count; i++)
        {
            var a = attempts[i];
            var y = (i * RowHeight) + 4;
            var x = Label + ((Width - Label - 10) * Offset(runStart, a) / scale);
            var w = Math.Max(3, (Width - Label - 10) * (a.DurationMs ?? 0) / scale);
            var color = a.Status switch { "success" => "#1f8a4c", "failed" => "#c53030", "skipped" => "#a0aec0", _ => "#5a67d8" };
            svg.Add($"""<text class="timeline-label" x="4" y="{Num(y + 15)}">{a.Seq}. {a.Provider}{(a.Model is null ? string.Empty : "/" + a.Model)} · t{a.Tier}{(a.Retry > 0 ? $" r{a.Retry}" : string.Empty)}</text>""");
            svg.Add($"""<rect x="{Num(x)}" y="{Num(y)}" width="{Num(w)}" height="18" rx="3" fill="{color}"><title>{a.Status}{Why(a)}: {Ms(a.DurationMs ?? 0)}</title></rect>""");
        }

        svg.Add($"</svg>");
        return Html.Of($"""<figure>{new HtmlRaw(svg.ToString())}<ul class="legend"><li><span class="swatch s-success" aria-hidden="true"></span>success</li><li><span class="swatch s-failed" aria-hidden="true"></span>failed</li><li><span class="swatch s-skipped" aria-hidden="true"></span>skipped</li></ul></figure>""");
    }

    public static HtmlRaw Table(DateTimeOffset runStart, IReadOnlyList<AttemptView> attempts)
    {
        if (attempts.Count == 0)
        {
            return HtmlRaw.Empty;
        }

        var rows = new Html();
        double? previousEnd = null;
        foreach (var a in attempts)
        {
            var offset = Offset(runStart, a);
            var wait = previousEnd is { } pe && offset - pe > 0.5 ? Ms(offset - pe) : "—";
            previousEnd = offset + (a.DurationMs ?? 0);
            rows.Add($"""
                <tr>
                  <td class="num">{a.Seq}</td><td class="num">{a.Tier}</td><td class="num">{a.Retry}</td>
                  <th scope="row">{a.Provider}{(a.Model is null ? string.Empty : "/" + a.Model)}</th>
                  <td>{UiPage.Badge(a.Status)}</td>
                  <td>{a.ErrorClass ?? a.SkipReason ?? "—"}</td>
                  <td class="num">{(a.HttpStatus is { } s ? s.ToString(CultureInfo.InvariantCulture) : "—")}</td>
                  <td class="num">+{Ms(offset)}</td><td class="num">{wait}</td><td class="num">{UiFormat.Ms(a.DurationMs)}</td>
                  <td class="small">{a.Message}{(a.Step is { } step ? $" (step: {step})" : string.Empty)}</td>
                </tr>
                """);
        }

        return Html.Of($"""
            <div class="table-wrap"><table id="attempts-table">
            <caption>Attempts in order</caption>
            <thead><tr><th scope="col" class="num">#</th><th scope="col" class="num">Tier</th><th scope="col" class="num">Retry</th><th scope="col">Provider/model</th><th scope="col">Status</th><th scope="col">Class / skip reason</th><th scope="col" class="num">HTTP</th><th scope="col" class="num">Started</th><th scope="col" class="num">Waited</th><th scope="col" class="num">Took</th><th scope="col">What happened</th></tr></thead>
            <tbody>{new HtmlRaw(rows.ToString())}</tbody></table></div>
            """);
    }

    private static double Offset(DateTimeOffset runStart, AttemptView a) => Math.Max(0, (a.StartedAt - runStart).TotalMilliseconds);

    private static string Why(AttemptView a) => a.ErrorClass is { } c ? $" ({c})" : a.SkipReason is { } r ? $" ({r})" : string.Empty;

    private static string Ms(double ms) => UiFormat.Ms(ms);

    private static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);
}
