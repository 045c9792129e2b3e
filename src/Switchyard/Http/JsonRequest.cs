using System.Globalization;
using System.Text.Json;
using Switchyard.Configuration;

namespace Switchyard.Http;

/// <summary>
/// Reads the fields of a JSON request body, checking each one's type and range and keeping the
/// first problem with the field's name, so a bad request gets a 400 naming what to fix.
/// </summary>
internal sealed class JsonRequest
{
    private readonly JsonElement _root;

    // The names read so far: a handful of literals per endpoint, so a list scanned in order beats a hash set (which
    // cost every request its buckets and entries).
    private readonly List<string> _read = new(16);

    public JsonRequest(JsonElement root)
    {
        _root = root;
    }

    /// <summary>The first problem found, if any.</summary>
    public RequestProblem? Problem { get; private set; }

    public bool Has(string name) => Element(name) is not null;

    public JsonElement? Element(string name)
    {
        _read.Add(name);
        return _root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;
    }

    /// <summary>
    /// Under <see cref="UnknownFieldsPolicy.Reject"/>, records a problem naming the first top-level field that the
    /// endpoint has not read (call it after reading every field) and is not in <paramref name="alsoKnown"/>.
    /// </summary>
    public void RejectUnknown(UnknownFieldsPolicy policy, params string[] alsoKnown)
    {
        if (policy != UnknownFieldsPolicy.Reject)
        {
            return;
        }

        foreach (var property in _root.EnumerateObject())
        {
            if (!_read.Contains(property.Name) && !alsoKnown.Contains(property.Name, StringComparer.Ordinal))
            {
                Fail(property.Name, $"'{property.Name}' is not a field of this endpoint (the server rejects unknown fields: server.unknown_fields)", "unknown_parameter");
                return;
            }
        }
    }

    public string? String(string name, bool required = false, int? maxLength = null, bool allowEmpty = false)
    {
        if (Element(name) is not { } value)
        {
            return required ? Fail(name, $"'{name}' is required", "missing_required_parameter") : null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            return Fail(name, $"'{name}' must be a string, got {Describe(value)}", "invalid_type");
        }

        var text = value.GetString()!;
        if (!allowEmpty && string.IsNullOrWhiteSpace(text))
        {
            return Fail(name, $"'{name}' must not be empty", required ? "missing_required_parameter" : "invalid_value");
        }

        if (maxLength is { } max && text.Length > max)
        {
            return Fail(name, $"'{name}' is {text.Length} characters; the limit is {max}", "string_above_max_length");
        }

        return text;
    }

    public string? Enum(string name, IReadOnlyCollection<string> allowed)
    {
        var text = String(name);
        if (text is not null && !allowed.Contains(text))
        {
            return Fail(name, $"'{text}' is not a valid value for '{name}'; expected one of: {string.Join(", ", allowed)}");
        }

        return text;
    }

    public long? Integer(string name, long min, long max)
    {
        if (Element(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number))
        {
            Fail(name, $"'{name}' must be an integer, got {Describe(value)}", "invalid_type");
            return null;
        }

        if (number < min || number > max)
        {
            Fail(name, $"'{name}' is {number}; it must be from {min} to {max}");
            return null;
        }

        return number;
    }

    public double? Number(string name, double min, double max)
    {
        if (Element(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            Fail(name, $"'{name}' must be a number, got {Describe(value)}", "invalid_type");
            return null;
        }

        var number = value.GetDouble();
        if (number < min || number > max)
        {
            Fail(name, $"'{name}' is {number.ToString(CultureInfo.InvariantCulture)}; it must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }

        return number;
    }

    public bool? Boolean(string name)
    {
        if (Element(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail(name, $"'{name}' must be true or false, got {Describe(value)}", "invalid_type");
            return null;
        }

        return value.GetBoolean();
    }

    /// <summary>Records a problem (the first one wins) and returns null for convenience.</summary>
    public string? Fail(string param, string message, string code = "invalid_value")
    {
        Problem ??= RequestProblem.Field(param, message, code);
        return null;
    }

    public static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "null",
    };
}
