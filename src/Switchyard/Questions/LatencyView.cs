using System.Text.Json.Serialization;
using Switchyard.Ledger;

namespace Switchyard.Questions;

/// <summary>Latency percentiles in milliseconds, as the API shows them.</summary>
internal sealed record LatencyView(
    [property: JsonPropertyName("p50")] double? P50,
    [property: JsonPropertyName("p95")] double? P95,
    [property: JsonPropertyName("p99")] double? P99)
{
    public static LatencyView From(LatencyPercentiles p) => new(Round(p.P50), Round(p.P95), Round(p.P99));

    private static double? Round(double? ms) => ms is { } v ? Math.Round(v, 1) : null;
}
