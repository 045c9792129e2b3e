using System.Globalization;

namespace Switchyard.Ui;

/// <summary>One line or band of a chart: its name, colour and a value per bucket (null: no data there).</summary>
/// <param name="Name">Shown in the legend and the data table.</param>
/// <param name="Color">Its SVG colour.</param>
/// <param name="Swatch">The legend swatch's CSS class.</param>
/// <param name="Values">One per bucket.</param>
internal sealed record ChartSeries(string Name, string Color, string Swatch, IReadOnlyList<double?> Values);

/// <summary>
/// Time-series charts as inline SVG: a stacked area (counts) and lines (latencies). Each is an image with a title
/// and a description for assistive technology, a legend in text, and its numbers in a data table beneath.
/// </summary>
internal static class SvgChart
{
    private const double Width = 640;
    private const double Height = 220;
    private const double Left = 52;
    private const double Right = 12;
    private const double Top = 12;
    private const double Bottom = 26;

    /// <summary>Series stacked on each other (e.g. runs per minute by outcome).</summary>
    public static HtmlRaw StackedArea(string id, string title, string description, IReadOnlyList<DateTimeOffset> buckets, IReadOnlyList<ChartSeries> series, string unit)
    {
        var totals = buckets.Select((_, i) => series.Sum(s => s.Values[i] ?? 0)).ToList();
        var max = NiceMax(totals.DefaultIfEmpty(0).Max());
        var svg = new Html();
        Frame(svg, id, title, description, buckets, max, unit);
        var below = new double[buckets.Count];
        foreach (var s in series)
        {
            if (buckets.Count == 0)
            {
                break;
            }

            var upper = new List<string>();
            var lower = new List<string>();
            for (var i = 0; i < buckets.Count; i++)
            {
                var top = below[i] + (s.Values[i] ?? 0);
                upper.Add(Point(X(i, buckets.Count), Y(top, max)));
                lower.Add(Point(X(i, buckets.Count), Y(below[i], max)));
                below[i] = top;
            }

            lower.Reverse();
            svg.Add($"""<polygon points="{string.Join(' ', upper.Concat(lower))}" fill="{s.Color}" fill-opacity="0.78" stroke="{s.Color}" stroke-width="1"><title>{s.Name}</title></polygon>""");
        }

        svg.Add($"</svg>");
        return Figure(svg, id, buckets, series, unit);
    }

    /// <summary>Independent lines (e.g. p50/p95/p99 latency); a bucket without data breaks the line.</summary>
    public static HtmlRaw Lines(string id, string title, string description, IReadOnlyList<DateTimeOffset> buckets, IReadOnlyList<ChartSeries> series, string unit)
    {
        var max = NiceMax(series.SelectMany(s => s.Values).Where(v => v is not null).Select(v => v!.Value).DefaultIfEmpty(0).Max());
        var svg = new Html();
        Frame(svg, id, title, description, buckets, max, unit);
        foreach (var s in series)
        {
            var path = new List<string>();
            var pen = false;
            for (var i = 0; i < s.Values.Count; i++)
            {
                if (s.Values[i] is not { } value)
                {
                    pen = false;
                    continue;
                }

                path.Add((pen ? "L" : "M") + Point(X(i, buckets.Count), Y(value, max)));
                pen = true;
            }

            if (path.Count == 0)
            {
                continue;
            }

            svg.Add($"""<path d="{string.Join(' ', path)}" fill="none" stroke="{s.Color}" stroke-width="2" stroke-linejoin="round"><title>{s.Name}</title></path>""");

            // Lone points (a bucket between two empty ones) would not show as a line.
            for (var i = 0; i < s.Values.Count; i++)
            {
                if (s.Values[i] is { } value && (i == 0 || s.Values[i - 1] is null) && (i == s.Values.Count - 1 || s.Values[i + 1] is null))
                {
                    svg.Add($"""<circle cx="{Num(X(i, buckets.Count))}" cy="{Num(Y(value, max))}" r="2.5" fill="{s.Color}"/>""");
                }
            }
        }

        svg.Add($"</svg>");
        return Figure(svg, id, buckets, series, unit);
    }

    private static void Frame(Html svg, string id, string title, string description, IReadOnlyList<DateTimeOffset> buckets, double max, string unit)
    {
        svg.Add($"""<svg class="chart" viewBox="0 0 {Width} {Height}" role="img" aria-labelledby="{id}-title {id}-desc" id="{id}"><title id="{id}-title">{title}</title><desc id="{id}-desc">{description}</desc>""");
        for (var t = 0; t <= 4; t++)
        {
            var value = max * t / 4;
            var y = Y(value, max);
            svg.Add($"""<line class="grid-line" x1="{Left}" x2="{Width - Right}" y1="{Num(y)}" y2="{Num(y)}"/><text x="{Left - 6}" y="{Num(y + 4)}" text-anchor="end">{Label(value, unit)}</text>""");
        }

        svg.Add($"""<line class="axis" x1="{Left}" x2="{Width - Right}" y1="{Height - Bottom}" y2="{Height - Bottom}"/>""");
        if (buckets.Count > 0)
        {
            var step = Math.Max(1, (buckets.Count - 1) / 5);
            for (var i = 0; i < buckets.Count; i += step)
            {
                var x = X(i, buckets.Count);
                var anchor = x > Width - Right - 30 ? "end" : "middle";
                svg.Add($"""<text x="{Num(x)}" y="{Height - 8}" text-anchor="{anchor}">{TimeLabel(buckets[i], buckets)}</text>""");
            }
        }
    }

    private static HtmlRaw Figure(Html svg, string id, IReadOnlyList<DateTimeOffset> buckets, IReadOnlyList<ChartSeries> series, string unit)
    {
        var legend = HtmlRaw.Join(series.Select(s => Html.Of($"""<li><span class="swatch {s.Swatch}" aria-hidden="true"></span>{s.Name}</li>""")));
        var head = HtmlRaw.Join(series.Select(s => Html.Of($"""<th scope="col" class="num">{s.Name}</th>""")));
        var rows = new Html();
        for (var i = 0; i < buckets.Count; i++)
        {
            if (series.All(s => s.Values[i] is null or 0))
            {
                continue;
            }

            rows.Add($"""<tr><th scope="row">{buckets[i].UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)}</th>""");
            foreach (var s in series)
            {
                rows.Add($"""<td class="num">{(s.Values[i] is { } v ? Label(v, unit) : "—")}</td>""");
            }

            rows.Add($"</tr>");
        }

        var body = rows.ToString().Length == 0 ? Html.Of($"""<tr><td colspan="{series.Count + 1}" class="muted">No data in this window.</td></tr>""") : new HtmlRaw(rows.ToString());
        return Html.Of($"""
            <figure>
            {new HtmlRaw(svg.ToString())}
            <ul class="legend">{legend}</ul>
            <details class="data"><summary>Data table</summary><div class="table-wrap"><table id="{id}-data"><thead><tr><th scope="col">Bucket (UTC)</th>{head}</tr></thead><tbody>{body}</tbody></table></div></details>
            </figure>
            """);
    }

    private static double X(int index, int count) => count <= 1 ? Left : Left + ((Width - Left - Right) * index / (count - 1));

    private static double Y(double value, double max) => Height - Bottom - ((Height - Top - Bottom) * (max <= 0 ? 0 : value / max));

    private static string Point(double x, double y) => $"{Num(x)},{Num(y)}";

    private static string Num(double value) => value.ToString("0.#", CultureInfo.InvariantCulture);

    /// <summary>A round axis maximum at or above the largest value (1, 2, 2.5 or 5 times a power of ten).</summary>
    internal static double NiceMax(double value)
    {
        if (value <= 0)
        {
            return 1;
        }

        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var factor in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (factor * power >= value)
            {
                return factor * power;
            }
        }

        return 10 * power;
    }

    private static string Label(double value, string unit) => unit switch
    {
        "ms" when value >= 1000 => (value / 1000).ToString("0.#", CultureInfo.InvariantCulture) + " s",
        "ms" => value.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string TimeLabel(DateTimeOffset at, IReadOnlyList<DateTimeOffset> buckets) =>
        at.UtcDateTime.ToString(buckets[^1] - buckets[0] > TimeSpan.FromDays(1) ? "MM-dd HH:mm" : "HH:mm", CultureInfo.InvariantCulture);
}
