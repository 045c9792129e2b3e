using System.Text.Json.Serialization;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Questions;

/// <summary>One stats row (a group, or the overall row with a null <c>group</c>), as the API shows it. Rates are rounded to 4 places.</summary>
internal sealed record StatsGroupView(
    [property: JsonPropertyName("group")] string? Group,
    [property: JsonPropertyName("runs")] int Runs,
    [property: JsonPropertyName("running")] int Running,
    [property: JsonPropertyName("success")] int Success,
    [property: JsonPropertyName("degraded")] int Degraded,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("success_rate")] double? SuccessRate,
    [property: JsonPropertyName("degraded_rate")] double? DegradedRate,
    [property: JsonPropertyName("failed_rate")] double? FailedRate,
    [property: JsonPropertyName("fallback_rate")] double? FallbackRate,
    [property: JsonPropertyName("fell_back")] int FellBack,
    [property: JsonPropertyName("cache_hits")] int CacheHits,
    [property: JsonPropertyName("latency_ms")] LatencyView LatencyMs,
    [property: JsonPropertyName("error_classes")] IReadOnlyDictionary<string, int> ErrorClasses,
    [property: JsonPropertyName("skip_reasons")] IReadOnlyDictionary<string, int> SkipReasons,
    [property: JsonPropertyName("attempts")] AttemptStatsView Attempts,
    [property: JsonPropertyName("cost_usd")] decimal? CostUsd)
{
    public static StatsGroupView From(StatsGroup g) => new(
        g.Group, g.Runs, g.Running, g.Success, g.Degraded, g.Failed, Round(g.SuccessRate), Round(g.DegradedRate), Round(g.FailedRate),
        Round(g.FallbackRate), g.FellBack, g.CacheHits, LatencyView.From(g.LatencyMs),
        g.ErrorClasses.ToDictionary(static e => e.Key.ToWire(), static e => e.Value, StringComparer.Ordinal),
        g.SkipReasons.ToDictionary(static e => e.Key.ToWire(), static e => e.Value, StringComparer.Ordinal),
        AttemptStatsView.From(g.Attempts), g.CostUsd);

    public static double? Round(double? rate) => rate is { } r ? Math.Round(r, 4) : null;
}
