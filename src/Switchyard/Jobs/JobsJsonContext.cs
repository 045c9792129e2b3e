using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Jobs;

/// <summary>Source-generated JSON of the jobs API; the API, the webhooks and the CLI's <c>--json</c> share it.</summary>
[JsonSerializable(typeof(JobView))]
[JsonSerializable(typeof(JobItemEventView))]
internal sealed partial class JobsJsonContext : JsonSerializerContext
{
    /// <summary>Without escaping '+', '&amp;' or non-ASCII, so messages stay readable.</summary>
    public static JobsJsonContext Wire { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The same, indented, for the CLI.</summary>
    public static JobsJsonContext Indented { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true });
}
