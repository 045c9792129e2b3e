using System.Text.Json.Serialization;

namespace Switchyard.Diagnostics;

/// <summary>The <c>doctor --json</c> document.</summary>
/// <param name="Ok">True when no check failed.</param>
/// <param name="Checks">Every check in order.</param>
internal sealed record DoctorReport(
    [property: JsonPropertyName("ok")] bool Ok,
    [property: JsonPropertyName("checks")] IReadOnlyList<DoctorCheck> Checks);

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DoctorReport))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
