using System.Text.Json.Serialization;

namespace Switchyard.Artifacts;

/// <summary>Source-generated JSON for the artifact sidecar files.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(ArtifactInfo))]
internal sealed partial class ArtifactJsonContext : JsonSerializerContext;
