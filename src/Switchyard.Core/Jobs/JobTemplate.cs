using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchyard.Jobs;

/// <summary>
/// The item templates: <c>{{ID.output}}</c> is an earlier item's whole text output, <c>{{ID.output.FIELD}}</c> (or a
/// dotted path, <c>{{ID.output.a.b}}</c>) one field of its JSON output. Anything else between <c>{{</c> and <c>}}</c> is
/// an error, so a typo is reported at submit instead of reaching a provider.
/// </summary>
public static partial class JobTemplate
{
    /// <summary>One reference in a template.</summary>
    /// <param name="ItemId">The item whose output is read.</param>
    /// <param name="Path">The field path, or null for the whole output.</param>
    /// <param name="Text">The reference as written, braces included.</param>
    public sealed record Reference(string ItemId, string? Path, string Text);

    /// <summary>The references of <paramref name="template"/>, or the first malformed one.</summary>
    public static (IReadOnlyList<Reference> References, string? Problem) Parse(string template)
    {
        var references = new List<Reference>();
        foreach (Match match in Braces().Matches(template))
        {
            var inner = Grammar().Match(match.Groups["inner"].Value);
            if (!inner.Success)
            {
                return (references, $"'{match.Value}' is not a template; write {{{{ID.output}}}} or {{{{ID.output.FIELD}}}} with the id of an earlier item");
            }

            references.Add(new Reference(inner.Groups["id"].Value, inner.Groups["path"].Success ? inner.Groups["path"].Value : null, match.Value));
        }

        return (references, null);
    }

    /// <summary>
    /// Replaces every reference with the output of its item (<paramref name="outputs"/> by item id); null with the
    /// problem when a field is missing or the output is not JSON.
    /// </summary>
    public static (string? Text, string? Problem) Render(string template, IReadOnlyDictionary<string, string?> outputs)
    {
        var (references, problem) = Parse(template);
        if (problem is not null)
        {
            return (null, problem);
        }

        if (references.Count == 0)
        {
            return (template, null);
        }

        var builder = new StringBuilder(template.Length);
        var last = 0;
        foreach (Match match in Braces().Matches(template))
        {
            var reference = references.First(r => r.Text == match.Value);
            if (!outputs.TryGetValue(reference.ItemId, out var output) || output is null)
            {
                return (null, $"{reference.Text}: item '{reference.ItemId}' has no text output (only text items' outputs can be read)");
            }

            string value;
            if (reference.Path is null)
            {
                value = output;
            }
            else
            {
                (var field, problem) = ReadField(output, reference);
                if (problem is not null)
                {
                    return (null, problem);
                }

                value = field!;
            }

            builder.Append(template, last, match.Index - last).Append(value);
            last = match.Index + match.Length;
        }

        builder.Append(template, last, template.Length - last);
        return (builder.ToString(), null);
    }

    private static (string? Value, string? Problem) ReadField(string output, Reference reference)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(StripFence(output));
        }
        catch (JsonException)
        {
            return (null, $"{reference.Text}: the output of '{reference.ItemId}' is not JSON, so no field can be read from it (use {{{{{reference.ItemId}.output}}}} for the whole text, or ask that item for JSON)");
        }

        using (document)
        {
            var current = document.RootElement;
            var walked = new List<string>();
            foreach (var name in reference.Path!.Split('.'))
            {
                if (current.ValueKind != JsonValueKind.Object)
                {
                    var where = walked.Count == 0 ? "the output" : $"'{string.Join('.', walked)}'";
                    return (null, $"{reference.Text}: {where} of '{reference.ItemId}' is not a JSON object, so it has no field '{name}'");
                }

                if (!current.TryGetProperty(name, out var next))
                {
                    var fields = string.Join(", ", current.EnumerateObject().Select(p => p.Name));
                    var where = walked.Count == 0 ? "the JSON output" : $"'{string.Join('.', walked)}'";
                    return (null, $"{reference.Text}: {where} of '{reference.ItemId}' has no field '{name}' (it has: {(fields.Length == 0 ? "no fields" : fields)})");
                }

                walked.Add(name);
                current = next;
            }

            return (current.ValueKind == JsonValueKind.String ? current.GetString() : current.GetRawText(), null);
        }
    }

    // Chat models often wrap JSON in a ```json fence; the fence is not part of the object.
    private static string StripFence(string output)
    {
        var text = output.Trim();
        if (text.StartsWith("```", StringComparison.Ordinal) && text.EndsWith("```", StringComparison.Ordinal) && text.Length >= 6)
        {
            var firstLine = text.IndexOf('\n', StringComparison.Ordinal);
            if (firstLine > 0)
            {
                return text[(firstLine + 1)..^3];
            }
        }

        return text;
    }

    [GeneratedRegex(@"\{\{(?<inner>.*?)\}\}", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Braces();

    [GeneratedRegex(@"^\s*(?<id>[A-Za-z0-9_-]{1,64})\.output(?:\.(?<path>[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*))?\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex Grammar();
}
