using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Switchyard.Http;

namespace Switchyard.Questions;

/// <summary>
/// Source-generated JSON for the ledger's answers (runs, a run, stats). Null fields are written, so every
/// answer has the same keys; the API and the CLI's <c>--json</c> share it.
/// </summary>
[JsonSerializable(typeof(RunListView))]
[JsonSerializable(typeof(RunView))]
[JsonSerializable(typeof(StatsView))]
internal sealed partial class QuestionsJsonContext : JsonSerializerContext
{
    /// <summary>Without escaping '+', '&amp;' or non-ASCII, so messages stay readable.</summary>
    public static QuestionsJsonContext Wire { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The same, indented, for people reading the CLI's output.</summary>
    public static QuestionsJsonContext Indented { get; } = new(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true });
}
