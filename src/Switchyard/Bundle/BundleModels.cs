using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Bundle;

/// <summary>One file of the bundle.</summary>
/// <param name="Name">Its name in the zip.</param>
/// <param name="Bytes">Its size, uncompressed.</param>
/// <param name="Description">What it holds.</param>
internal sealed record BundleFile(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("description")] string Description);

/// <summary>Whether a part of the bundle could be collected, and if not, why.</summary>
/// <param name="Name">config, doctor, database, runs, stats or alerts.</param>
/// <param name="Collected">True when the part is in the bundle.</param>
/// <param name="Detail">What was collected, or why it was not.</param>
internal sealed record BundleSection(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("collected")] bool Collected,
    [property: JsonPropertyName("detail")] string Detail);

/// <summary><c>manifest.json</c>: what the bundle holds and what could not be collected.</summary>
internal sealed record BundleManifest(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("switchyard_version")] string SwitchyardVersion,
    [property: JsonPropertyName("config")] string Config,
    [property: JsonPropertyName("files")] IReadOnlyList<BundleFile> Files,
    [property: JsonPropertyName("sections")] IReadOnlyList<BundleSection> Sections,
    [property: JsonPropertyName("masked_secret_values")] int MaskedSecretValues);

/// <summary>The <c>bundle --json</c> document: where the zip was written and its manifest.</summary>
internal sealed record BundleResult(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("manifest")] BundleManifest Manifest);

/// <summary><c>versions.json</c>: what runs where.</summary>
internal sealed record BundleVersions(
    [property: JsonPropertyName("switchyard")] string Switchyard,
    [property: JsonPropertyName("runtime")] string Runtime,
    [property: JsonPropertyName("os")] string Os,
    [property: JsonPropertyName("os_architecture")] string OsArchitecture,
    [property: JsonPropertyName("process_architecture")] string ProcessArchitecture,
    [property: JsonPropertyName("processors")] int Processors,
    [property: JsonPropertyName("database")] string? Database,
    [property: JsonPropertyName("schema_version")] int? SchemaVersion,
    [property: JsonPropertyName("expected_schema_version")] int? ExpectedSchemaVersion);

/// <summary><c>alerts.json</c> when the server's alerts could not be read.</summary>
internal sealed record AlertsUnavailable(
    [property: JsonPropertyName("reached")] bool Reached,
    [property: JsonPropertyName("url")] string? Url,
    [property: JsonPropertyName("reason")] string Reason);

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BundleManifest))]
[JsonSerializable(typeof(BundleResult))]
[JsonSerializable(typeof(BundleVersions))]
[JsonSerializable(typeof(AlertsUnavailable))]
[JsonSerializable(typeof(JsonElement))]
internal sealed partial class BundleJsonContext : JsonSerializerContext
{
    /// <summary>Indented, without escaping '+', '&amp;' or non-ASCII, so the files read well.</summary>
    public static BundleJsonContext Readable { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true });
}
