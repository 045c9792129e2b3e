using System.Globalization;
using Spectre.Console;

namespace Switchyard.Cli;

/// <summary>How the tables write values: markup-escaped, a dash for nothing, outcomes and statuses in colour.</summary>
internal static class CliFormat
{
    public const string Nothing = "[grey]-[/]";

    public static string Text(string? value) => string.IsNullOrEmpty(value) ? Nothing : Markup.Escape(value);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Ms(double? ms) => ms switch
    {
        null => Nothing,
        < 1000 => $"{ms.Value.ToString("0.#", CultureInfo.InvariantCulture)} ms",
        _ => $"{(ms.Value / 1000).ToString("0.00", CultureInfo.InvariantCulture)} s",
    };

    public static string Percent(double? rate) => rate is { } r ? (r * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : Nothing;

    public static string Cost(decimal? usd) => usd is { } c ? "$" + c.ToString("0.####", CultureInfo.InvariantCulture) : Nothing;

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An outcome or attempt status in its colour: green served, yellow degraded or skipped, red failed.</summary>
    public static string Status(string? status) => status switch
    {
        null => "[blue]running[/]",
        "success" => "[green]success[/]",
        "degraded" => "[yellow]degraded[/]",
        "skipped" => "[yellow]skipped[/]",
        "failed" => "[red]failed[/]",
        "started" => "[blue]started[/]",
        _ => Markup.Escape(status),
    };

    /// <summary><c>provider/model</c>, or the provider alone.</summary>
    public static string ProviderModel(string? provider, string? model) =>
        provider is null ? Nothing : Markup.Escape(model is null ? provider : $"{provider}/{model}");

    /// <summary>Counts per name, largest first: <c>unavailable 3, not_capable 2</c>.</summary>
    public static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? Nothing : Markup.Escape(string.Join(", ", counts.OrderByDescending(static c => c.Value).ThenBy(static c => c.Key, StringComparer.Ordinal).Select(static c => $"{c.Key} {c.Value}")));
}
