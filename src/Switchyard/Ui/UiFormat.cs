using System.Globalization;

namespace Switchyard.Ui;

/// <summary>How the dashboard writes numbers and times: invariant culture, UTC.</summary>
internal static class UiFormat
{
    public static string Percent(double? share) => share is { } s ? (s * 100).ToString(s is > 0 and < 0.1 ? "0.0" : "0", CultureInfo.InvariantCulture) + "%" : "—";

    public static string Ms(double? ms) => ms switch
    {
        null => "—",
        >= 10_000 => (ms.Value / 1000).ToString("0.0", CultureInfo.InvariantCulture) + " s",
        >= 100 => ms.Value.ToString("0", CultureInfo.InvariantCulture) + " ms",
        _ => ms.Value.ToString("0.#", CultureInfo.InvariantCulture) + " ms",
    };

    public static string Time(DateTimeOffset? at) => at is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC" : "—";

    /// <summary>The machine-readable form for <c>&lt;time datetime&gt;</c>.</summary>
    public static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    public static string Count(int value) => value.ToString("N0", CultureInfo.InvariantCulture);

    public static HtmlRaw TimeTag(DateTimeOffset? at) => at is { } t ? Html.Of($"""<time datetime="{Iso(t)}">{Time(t)}</time>""") : Html.Of($"—");

    public static string Duration(TimeSpan span) => span.TotalSeconds < 90 ? FormattableString.Invariant($"{span.TotalSeconds:0}s")
        : span.TotalMinutes < 90 ? FormattableString.Invariant($"{span.TotalMinutes:0}m")
        : span.TotalHours < 48 ? FormattableString.Invariant($"{span.TotalHours:0.#}h")
        : FormattableString.Invariant($"{span.TotalDays:0.#}d");
}
