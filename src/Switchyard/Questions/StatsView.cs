using System.Text.Json.Serialization;
using Switchyard.Ledger;

namespace Switchyard.Questions;

/// <summary>The answer of <c>GET /v1/stats</c> and <c>switchyard stats --json</c>.</summary>
internal sealed record StatsView(
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("until")] DateTimeOffset Until,
    [property: JsonPropertyName("by")] string By,
    [property: JsonPropertyName("key_id")] string? KeyId,
    [property: JsonPropertyName("overall")] StatsGroupView Overall,
    [property: JsonPropertyName("groups")] IReadOnlyList<StatsGroupView> Groups)
{
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "stats";

    public static StatsView From(StatsQuery query, StatsReport report, DateTimeOffset until) => new(
        query.Since, until, report.By.ToWire(), query.KeyId, StatsGroupView.From(report.Overall), [.. report.Groups.Select(StatsGroupView.From)]);
}
