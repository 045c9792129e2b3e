using System.Text;
using System.Text.Json;

namespace Switchyard.Jobs;

/// <summary>Lists of strings (run ids, artifact ids, dependencies) as the stores keep them: a JSON array.</summary>
public static class JsonStringList
{
    /// <summary>The JSON array of <paramref name="values"/>.</summary>
    public static string Write(IEnumerable<string> values)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var value in values)
            {
                writer.WriteStringValue(value);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>The strings of a stored JSON array.</summary>
    /// <exception cref="FormatException">The text is not an array of strings.</exception>
    public static IReadOnlyList<string> Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("A stored list is not a JSON array.");
        }

        return [.. document.RootElement.EnumerateArray().Select(e => e.GetString() ?? throw new FormatException("A stored list holds a non-string."))];
    }
}
