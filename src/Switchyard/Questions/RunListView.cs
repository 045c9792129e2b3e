using System.Text.Json.Serialization;
using Switchyard.Http;

namespace Switchyard.Questions;

/// <summary>A page of runs, newest first: <c>next_cursor</c> (the last run's id) continues with <c>after</c> while <c>has_more</c>.</summary>
internal sealed record RunListView(
    [property: JsonPropertyName("data")] IReadOnlyList<RunView> Data,
    [property: JsonPropertyName("has_more")] bool HasMore,
    [property: JsonPropertyName("next_cursor")] string? NextCursor)
{
    [JsonPropertyName("object")]
    [JsonPropertyOrder(-1)]
    public string Object { get; init; } = "list";
}
