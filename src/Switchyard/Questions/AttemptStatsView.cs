using System.Text.Json.Serialization;
using Switchyard.Ledger;

namespace Switchyard.Questions;

/// <summary>A stats group's attempts, as the API shows them.</summary>
internal sealed record AttemptStatsView(
    [property: JsonPropertyName("count")] int Count,
    [property: JsonPropertyName("success")] int Success,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("skipped")] int Skipped,
    [property: JsonPropertyName("started")] int Started,
    [property: JsonPropertyName("success_rate")] double? SuccessRate,
    [property: JsonPropertyName("failed_rate")] double? FailedRate,
    [property: JsonPropertyName("skipped_rate")] double? SkippedRate,
    [property: JsonPropertyName("latency_ms")] LatencyView LatencyMs)
{
    public static AttemptStatsView From(AttemptStats a) => new(
        a.Count, a.Success, a.Failed, a.Skipped, a.Started, StatsGroupView.Round(a.SuccessRate), StatsGroupView.Round(a.FailedRate),
        StatsGroupView.Round(a.SkippedRate), LatencyView.From(a.LatencyMs));
}
