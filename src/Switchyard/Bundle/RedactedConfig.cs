using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;

namespace Switchyard.Bundle;

/// <summary>
/// The effective configuration as the gateway binds it (the file, or the embedded default, overridden by
/// <c>SWITCHYARD__</c> variables), written as JSON with every secret out: <c>${NAME}</c> references stay as the
/// reference (the name is not the secret), literal values of credential-named keys are masked, and passwords in URLs
/// are masked. It also says which settings the environment overrides, which referenced variables are set, and, when
/// the config is invalid, every problem with its path.
/// </summary>
internal static partial class RedactedConfig
{
    /// <summary>Writes <c>config.json</c>; the values of the referenced variables are added to <paramref name="scrubber"/>.</summary>
    public static byte[] Write(
        string? path,
        IConfiguration? root,
        IConfiguration? overrides,
        IReadOnlyList<ConfigProblem> problems,
        Func<string, string?> environment,
        SecretScrubber scrubber)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("source", path is null ? "embedded default" : Path.GetFullPath(path));
            json.WriteBoolean("valid", problems.Count == 0 && root is not null);
            json.WriteStartArray("problems");
            foreach (var problem in problems)
            {
                json.WriteStartObject();
                json.WriteString("path", problem.Path);
                json.WriteString("message", problem.Message);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("environment_overrides");
            if (overrides is not null)
            {
                foreach (var leaf in Leaves(overrides))
                {
                    json.WriteStringValue("SWITCHYARD__" + leaf.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant() + " -> " + leaf.Replace(':', '.'));
                }
            }

            json.WriteEndArray();
            var referenced = root is null ? [] : References(root);
            json.WriteStartObject("referenced_variables");
            foreach (var name in referenced)
            {
                var value = environment(name);
                scrubber.Add(value);
                json.WriteString(name, string.IsNullOrEmpty(value) ? "missing" : "set");
            }

            json.WriteEndObject();
            json.WritePropertyName("settings");
            if (root is null)
            {
                json.WriteNullValue();
            }
            else
            {
                WriteSection(json, root.GetChildren().ToList(), scrubber);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Every <c>${NAME}</c> the tree references, sorted.</summary>
    public static IReadOnlyList<string> References(IConfiguration root) =>
        [.. root.AsEnumerable()
            .Where(static pair => pair.Value is not null)
            .SelectMany(static pair => VariablePattern().Matches(pair.Value!).Select(static m => m.Groups[1].Value))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];

    private static IEnumerable<string> Leaves(IConfiguration root) =>
        root.AsEnumerable().Where(static pair => pair.Value is not null).Select(static pair => pair.Key).Order(StringComparer.Ordinal);

    private static void WriteSection(Utf8JsonWriter json, List<IConfigurationSection> children, SecretScrubber scrubber)
    {
        // .NET configuration has no arrays: a YAML list becomes the keys 0, 1, 2…
        var isList = children.Count > 0 && children.Select(static (c, i) => c.Key == i.ToString(CultureInfo.InvariantCulture)).All(static same => same);
        if (isList)
        {
            json.WriteStartArray();
        }
        else
        {
            json.WriteStartObject();
        }

        foreach (var child in children)
        {
            if (!isList)
            {
                json.WritePropertyName(child.Key);
            }

            var grandchildren = child.GetChildren().ToList();
            if (grandchildren.Count > 0)
            {
                WriteSection(json, grandchildren, scrubber);
            }
            else if (child.Value is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStringValue(Redact(child.Key, child.Value, scrubber));
            }
        }

        if (isList)
        {
            json.WriteEndArray();
        }
        else
        {
            json.WriteEndObject();
        }
    }

    private static string Redact(string key, string value, SecretScrubber scrubber)
    {
        if (VariablePattern().Match(value) is { Success: true } reference && reference.Value == value.Trim())
        {
            return value;
        }

        // A literal under a credential-named key is masked here and everywhere else it might appear.
        if (SecretKeyPattern().IsMatch(key))
        {
            scrubber.Add(value);
            return SecretScrubber.Mask;
        }

        scrubber.AddUrlPassword(value);
        return SecretScrubber.MaskUrlPasswords(value);
    }

    // api_key, secret, secret_key, access_key, password, token…, but not max_tokens or artifact_url_ttl.
    [GeneratedRegex(@"(?i)(^|_)(api_?key|key|key_id|secret|secret_key|access_key|password|passwd|pass|token|credentials?)$")]
    private static partial Regex SecretKeyPattern();

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex VariablePattern();
}
