using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Switchyard.Tests.Schema;

/// <summary>
/// Validators for the official OpenAI response schemas in <c>shared/spec/openai-schemas.json</c> (beside the repo).
/// The file is OpenAPI 3.1 with 3.0's <c>nullable</c> and <c>#/components/schemas/X</c> refs, which NJsonSchema does
/// not read as such; each root is rewritten into one self-contained JSON Schema document first:
/// <c>{ ...root, "definitions": { every schema } }</c>, refs pointing at <c>#/definitions/X</c>,
/// <c>"nullable": true</c> turned into <c>anyOf: [schema, { type: null }]</c>, and the OpenAPI-only
/// <c>discriminator</c> annotation dropped (the <c>oneOf</c> beside it still validates).
/// </summary>
internal static class OpenAISchemas
{
    private const string ComponentsPrefix = "#/components/schemas/";
    private const string DefinitionsPrefix = "#/definitions/";

    private static readonly Lazy<JsonObject> Schemas = new(LoadSchemas);
    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonSchema>>> Validators = new(StringComparer.Ordinal);

    /// <summary>The spec file: <c>../shared/spec/openai-schemas.json</c> from the folder holding <c>Switchyard.slnx</c>.</summary>
    public static string SpecPath
    {
        get
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
                {
                    var spec = Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "spec", "openai-schemas.json"));
                    return File.Exists(spec)
                        ? spec
                        : throw new FileNotFoundException($"The OpenAI schemas are not at {spec}; clone the 'shared' folder beside the repository.", spec);
                }
            }

            throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Switchyard.slnx.");
        }
    }

    /// <summary>The validator for the schema named <paramref name="name"/> under components.schemas, e.g. <c>ImagesResponse</c>.</summary>
    public static Task<JsonSchema> GetAsync(string name) =>
        Validators.GetOrAdd(name, n => new Lazy<Task<JsonSchema>>(() => JsonSchema.FromJsonAsync(BuildDocument(n).ToJsonString()))).Value;

    /// <summary>The self-contained JSON Schema document validated for <paramref name="name"/>.</summary>
    public static JsonObject BuildDocument(string name)
    {
        var schemas = Schemas.Value;
        if (schemas[name] is not JsonObject rootSchema)
        {
            throw new ArgumentException($"No schema '{name}' in {SpecPath}; it has: {string.Join(", ", schemas.Select(p => p.Key))}", nameof(name));
        }

        var document = (JsonObject)Rewrite(rootSchema);

        var definitions = new JsonObject();
        foreach (var (key, value) in schemas)
        {
            definitions[key] = Rewrite(value!);
        }

        document["definitions"] = definitions;
        return document;
    }

    /// <summary>Every validation error of <paramref name="json"/> against <paramref name="name"/>, flattened to one line each.</summary>
    public static async Task<IReadOnlyList<string>> ValidateAsync(string name, string json)
    {
        var schema = await GetAsync(name);
        var errors = schema.Validate(json);
        var lines = new List<string>();
        foreach (var error in errors)
        {
            Flatten(error, "", lines);
        }

        return lines;
    }

    /// <summary>Asserts that <paramref name="json"/> matches <paramref name="name"/>, listing every error and the document when not.</summary>
    public static async Task AssertValidAsync(string name, string json, string what)
    {
        var errors = await ValidateAsync(name, json);
        Assert.True(errors.Count == 0, $"{what} does not match the OpenAI schema {name}:\n  {string.Join("\n  ", errors)}\ndocument: {Shorten(json)}");
    }

    private static JsonObject LoadSchemas()
    {
        var root = JsonNode.Parse(File.ReadAllText(SpecPath)) ?? throw new InvalidDataException($"{SpecPath} is empty");
        return root["components"]?["schemas"] as JsonObject ?? throw new InvalidDataException($"{SpecPath} has no components.schemas");
    }

    private static JsonNode Rewrite(JsonNode node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray([.. array.Select(item => item is null ? null : Rewrite(item))]);
            case JsonObject obj:
                var copy = new JsonObject();
                var nullable = false;
                foreach (var (key, value) in obj)
                {
                    if (key == "$ref" && value is JsonValue reference && reference.TryGetValue<string>(out var target))
                    {
                        copy[key] = target.StartsWith(ComponentsPrefix, StringComparison.Ordinal) ? DefinitionsPrefix + target[ComponentsPrefix.Length..] : target;
                    }
                    else if (key == "nullable" && value is JsonValue flag && flag.TryGetValue<bool>(out var isNullable))
                    {
                        nullable = isNullable;
                    }
                    else if (key == "discriminator" && value is JsonObject discriminator && discriminator.ContainsKey("propertyName"))
                    {
                        // An OpenAPI annotation, not a JSON Schema keyword.
                    }
                    else
                    {
                        copy[key] = value is null ? null : Rewrite(value);
                    }
                }

                return nullable ? new JsonObject { ["anyOf"] = new JsonArray(copy, new JsonObject { ["type"] = "null" }) } : copy;
            default:
                return node.DeepClone();
        }
    }

    private static void Flatten(ValidationError error, string indent, List<string> lines)
    {
        lines.Add($"{indent}{error.Kind} at {(string.IsNullOrEmpty(error.Path) ? "#" : error.Path)} (property {error.Property ?? "-"}, line {error.LineNumber})");
        if (error is ChildSchemaValidationError child)
        {
            foreach (var (_, errors) in child.Errors)
            {
                foreach (var inner in errors)
                {
                    Flatten(inner, indent + "  ", lines);
                }
            }
        }
    }

    // Long strings (base64 images) are cut so the failure message shows the document's shape.
    private static string Shorten(string json)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (System.Text.Json.JsonException)
        {
            return json.Length <= 2000 ? json : json[..2000] + "...";
        }

        return node is null ? "null" : CutStrings(node).ToJsonString();
    }

    private static JsonNode CutStrings(JsonNode node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, p.Value is null ? null : CutStrings(p.Value)))),
        JsonArray array => new JsonArray([.. array.Select(item => item is null ? null : CutStrings(item))]),
        JsonValue value when value.TryGetValue<string>(out var text) && text.Length > 120 => JsonValue.Create($"{text[..60]}...({text.Length} chars)"),
        _ => node.DeepClone(),
    };
}
