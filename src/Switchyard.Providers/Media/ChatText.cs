using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Generation;

namespace Switchyard.Providers.Media;

/// <summary>Helpers for the offline providers' chat replies: the prompt, JSON requests and token estimates.</summary>
internal static partial class ChatText
{
    /// <summary>The text the reply answers: the last user message, else the last message.</summary>
    public static string Prompt(ChatRequest request) =>
        request.Messages.LastOrDefault(m => string.Equals(m.Role, "user", StringComparison.OrdinalIgnoreCase))?.Content
        ?? (request.Messages.Count > 0 ? request.Messages[^1].Content : string.Empty);

    /// <summary>Whether the caller wants JSON: <c>response_format: json_object</c>, or a prompt that asks for JSON.</summary>
    public static bool WantsJson(ChatRequest request, string prompt) => request.JsonOutput || JsonWord().IsMatch(prompt);

    /// <summary>
    /// The field names a prompt asks for, e.g. <c>front, back, image_description</c> from
    /// "as JSON with fields front, back, image_description"; empty when it names none.
    /// </summary>
    public static IReadOnlyList<string> RequestedFields(string prompt)
    {
        var match = FieldList().Match(prompt);
        if (!match.Success)
        {
            return [];
        }

        return Identifier().Matches(match.Groups["list"].Value)
            .Select(m => m.Value)
            .Where(w => !string.Equals(w, "and", StringComparison.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>What the prompt is about: its first quoted phrase, else its first words.</summary>
    public static string Topic(string prompt)
    {
        var quoted = Quoted().Match(prompt);
        if (quoted.Success)
        {
            return quoted.Groups["text"].Value;
        }

        var topic = ImageRenderer.FirstWords(prompt, 6);
        return topic.Length == 0 ? "nothing in particular" : topic;
    }

    /// <summary>A JSON object with one string per field, in order.</summary>
    public static string JsonObject(IEnumerable<KeyValuePair<string, string>> fields)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (key, value) in fields)
            {
                writer.WriteString(key, value);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Tokens as the usual estimate: one per four characters, at least one for non-empty text.</summary>
    public static int EstimateTokens(string text) => text.Length == 0 ? 0 : Math.Max(1, (text.Length + 3) / 4);

    /// <summary>Tokens of every message of the request.</summary>
    public static int EstimatePromptTokens(ChatRequest request) => request.Messages.Sum(m => EstimateTokens(m.Content) + 4);

    /// <summary>Splits text into pieces of a few words each; joined they give the text back.</summary>
    public static IReadOnlyList<string> Chunks(string text, int wordsPerChunk = 3)
    {
        var pieces = WordWithSpace().Matches(text).Select(m => m.Value).ToList();
        var chunks = new List<string>();
        for (var i = 0; i < pieces.Count; i += wordsPerChunk)
        {
            chunks.Add(string.Concat(pieces.Skip(i).Take(wordsPerChunk)));
        }

        return chunks;
    }

    [GeneratedRegex(@"\bjson\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex JsonWord();

    [GeneratedRegex(@"\b(?:fields?|keys|properties)\s*:?\s*(?<list>[""'`]?[A-Za-z_]\w*[""'`]?(?:\s*(?:,\s*(?:and\s+)?|\s+and\s+)[""'`]?[A-Za-z_]\w*[""'`]?)*)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldList();

    [GeneratedRegex(@"[A-Za-z_]\w*", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"[""'](?<text>[^""']{1,80})[""']", RegexOptions.CultureInvariant)]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\s*\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex WordWithSpace();
}
