using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Http;
using Switchyard.Routing;
using Switchyard.Webhooks;

namespace Switchyard.Jobs;

/// <summary>
/// Reads and checks a <c>POST /v1/jobs</c> body: every item's request is validated as its OpenAI endpoint would
/// validate it (templates stand in as text), dependencies must name earlier items, and templates may only read
/// items the item depends on. The first problem is reported with its path, e.g. <c>items[3].depends_on</c>.
/// </summary>
internal static partial class JobSubmission
{
    private static readonly string[] RootKeys = ["items", "context", "webhook"];
    private static readonly string[] WebhookKeys = ["url", "secret", "per_item"];
    private static readonly string[] ControlKeys = ["id", "type", "depends_on"];

    /// <summary>A checked item, ready to store.</summary>
    public sealed record Item(NewJobItem Value);

    /// <summary>A checked body.</summary>
    public sealed record Parsed(IReadOnlyList<NewJobItem> Items, string? Context, Uri? WebhookUrl, string? WebhookSecret, bool PerItem);

    public static (Parsed? Value, RequestProblem? Problem) Parse(JsonElement root, SwitchyardConfig config, RouteTable routes)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (!RootKeys.Contains(property.Name))
            {
                return Fail(property.Name, $"unknown field '{property.Name}'; a job body has: {string.Join(", ", RootKeys)}", "unknown_parameter");
            }
        }

        string? context = null;
        if (root.TryGetProperty("context", out var contextElement) && contextElement.ValueKind != JsonValueKind.Null)
        {
            if (contextElement.ValueKind != JsonValueKind.String)
            {
                return Fail("context", $"'context' must be a string, got {JsonRequest.Describe(contextElement)}", "invalid_type");
            }

            context = contextElement.GetString();
            if (context!.Length > config.Server.MaxPromptChars)
            {
                return Fail("context", $"'context' is {context.Length} characters; the limit is {config.Server.MaxPromptChars}", "string_above_max_length");
            }
        }

        var (url, secret, perItem, webhookProblem) = Webhook(root);
        if (webhookProblem is not null)
        {
            return (null, webhookProblem);
        }

        if (!root.TryGetProperty("items", out var array) || array.ValueKind == JsonValueKind.Null)
        {
            return Fail("items", "'items' is required: an array of image, text or speech requests", "missing_required_parameter");
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            return Fail("items", array.ValueKind == JsonValueKind.Array ? "'items' must not be empty" : $"'items' must be an array, got {JsonRequest.Describe(array)}", "invalid_type");
        }

        if (array.GetArrayLength() > config.Jobs.MaxItems)
        {
            return Fail("items", $"the job has {array.GetArrayLength()} items; the limit is {config.Jobs.MaxItems} (jobs.max_items)", "array_above_max_length");
        }

        var items = new List<NewJobItem>(array.GetArrayLength());
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var all = array.EnumerateArray().ToList();
        var ids = all.Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null).ToList();
        for (var i = 0; i < all.Count; i++)
        {
            var (item, problem) = ParseItem(all[i], i, ids, seen, config, routes);
            if (problem is not null)
            {
                return (null, problem);
            }

            seen[item!.ItemId] = i;
            items.Add(item);
        }

        return (new Parsed(items, context, url, secret, perItem), null);
    }

    private static (NewJobItem? Item, RequestProblem? Problem) ParseItem(JsonElement element, int index, List<string?> ids, Dictionary<string, int> seen, SwitchyardConfig config, RouteTable routes)
    {
        var path = $"items[{index}]";
        if (element.ValueKind != JsonValueKind.Object)
        {
            return FailItem($"{path}", $"'{path}' must be an object, got {JsonRequest.Describe(element)}", "invalid_type");
        }

        var id = ids[index];
        if (id is null || !IdPattern().IsMatch(id))
        {
            return FailItem($"{path}.id", $"'{path}.id' is required: 1 to 64 letters, digits, '_' or '-', unique in the job", "invalid_value");
        }

        if (seen.TryGetValue(id, out var earlier))
        {
            return FailItem($"{path}.id", $"'{path}.id' is '{id}', which items[{earlier}] already uses; ids are unique in a job");
        }

        var typeText = element.TryGetProperty("type", out var typeElement) && typeElement.ValueKind == JsonValueKind.String ? typeElement.GetString() : null;
        if (!WireNames.TryParseModality(typeText, out var modality))
        {
            return FailItem($"{path}.type", $"'{path}.type' must be one of: image, text, speech", typeText is null ? "missing_required_parameter" : "invalid_value");
        }

        var (dependsOn, depProblem) = DependsOn(element, path, id, index, ids, seen);
        if (depProblem is not null)
        {
            return (null, depProblem);
        }

        // The request without the job's own fields, with a text item's 'prompt' as its one user message.
        var request = JsonNode.Parse(element.GetRawText())!.AsObject();
        foreach (var key in ControlKeys)
        {
            request.Remove(key);
        }

        if (modality == Modality.Text && request["messages"] is null && request["prompt"] is { } textPrompt)
        {
            request.Remove("prompt");
            request["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = textPrompt.DeepClone() });
        }

        if (request["stream"] is { } stream && stream.GetValueKind() == JsonValueKind.True)
        {
            return FailItem($"{path}.stream", $"'{path}.stream' is not supported in a job: items run in the background and their output is read with GET /v1/jobs/{{id}}", "unsupported_value");
        }

        // Templates: syntax, and only items named in depends_on may be read.
        foreach (var (field, text) in TemplatedFields(request))
        {
            var (references, templateProblem) = JobTemplate.Parse(text);
            if (templateProblem is not null)
            {
                return FailItem($"{path}.{field}", $"'{path}.{field}': {templateProblem}");
            }

            foreach (var reference in references.Where(r => !dependsOn.Contains(r.ItemId, StringComparer.Ordinal)))
            {
                return FailItem($"{path}.{field}", $"'{path}.{field}' reads {reference.Text}, but '{reference.ItemId}' is not in {path}.depends_on; add it there so the item waits for it");
            }
        }

        var (_, requestProblem) = Validate(modality, Substituted(request), config);
        if (requestProblem is not null)
        {
            var param = requestProblem.Param is null ? path : $"{path}.{requestProblem.Param}";
            return FailItem(param, requestProblem.Message.Replace($"'{requestProblem.Param}'", $"'{param}'", StringComparison.Ordinal), requestProblem.Code);
        }

        var model = request["model"]?.GetValue<string>() ?? modality.ToWire();
        if (routes.Resolve(model, modality) is not { } route)
        {
            return (null, new RequestProblem(404, $"'{path}.model' is '{model}', which is not {(modality == Modality.Image ? "an" : "a")} {modality.ToWire()} route, preset or provider/model; GET /v1/models lists what you may call", $"{path}.model", "model_not_found"));
        }

        return (new NewJobItem { ItemId = id, Type = modality, Route = route.Name, Spec = request.ToJsonString(), DependsOn = dependsOn }, null);
    }

    /// <summary>Parses the item's request as its endpoint does; the parsed value of an image, text or speech request.</summary>
    public static (object? Value, RequestProblem? Problem) Validate(Modality modality, JsonObject request, SwitchyardConfig config)
    {
        using var document = JsonDocument.Parse(request.ToJsonString());
        var json = new JsonRequest(document.RootElement);
        return modality switch
        {
            Modality.Image => GenerationRequests.Image(json, config.Server),
            Modality.Text => GenerationRequests.Chat(json, config.Server),
            _ => GenerationRequests.Speech(json, config.Server),
        };
    }

    /// <summary>The fields that may hold templates: <c>prompt</c>, <c>negative_prompt</c>, <c>input</c>, <c>instructions</c> and each message's <c>content</c>.</summary>
    public static IEnumerable<(string Field, string Text)> TemplatedFields(JsonObject request)
    {
        foreach (var name in new[] { "prompt", "negative_prompt", "input", "instructions" })
        {
            if (request[name] is JsonValue value && value.TryGetValue<string>(out var text))
            {
                yield return (name, text);
            }
        }

        if (request["messages"] is JsonArray messages)
        {
            for (var i = 0; i < messages.Count; i++)
            {
                if (messages[i] is JsonObject message && message["content"] is JsonValue content && content.TryGetValue<string>(out var text))
                {
                    yield return ($"messages[{i}].content", text);
                }
            }
        }
    }

    /// <summary>Sets a templated field (named as <see cref="TemplatedFields"/> names it).</summary>
    public static void SetField(JsonObject request, string field, string text)
    {
        if (field.StartsWith("messages[", StringComparison.Ordinal))
        {
            var index = int.Parse(field.AsSpan(9, field.IndexOf(']', StringComparison.Ordinal) - 9), System.Globalization.CultureInfo.InvariantCulture);
            request["messages"]![index]!["content"] = text;
        }
        else
        {
            request[field] = text;
        }
    }

    // At submit the outputs are unknown; a stand-in keeps the fields non-empty for validation.
    private static JsonObject Substituted(JsonObject request)
    {
        var copy = request.DeepClone().AsObject();
        foreach (var (field, text) in TemplatedFields(request).ToList())
        {
            SetField(copy, field, TemplateStandIn().Replace(text, "output"));
        }

        return copy;
    }

    private static (List<string> DependsOn, RequestProblem? Problem) DependsOn(JsonElement element, string path, string id, int index, List<string?> ids, Dictionary<string, int> seen)
    {
        var result = new List<string>();
        if (!element.TryGetProperty("depends_on", out var deps) || deps.ValueKind == JsonValueKind.Null)
        {
            return (result, null);
        }

        var param = $"{path}.depends_on";
        if (deps.ValueKind != JsonValueKind.Array || deps.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
        {
            return (result, RequestProblem.Field(param, $"'{param}' must be an array of item ids", "invalid_type"));
        }

        foreach (var dep in deps.EnumerateArray().Select(d => d.GetString()!))
        {
            if (dep == id)
            {
                return (result, RequestProblem.Field(param, $"'{param}' names the item itself ('{id}'): a cycle; an item can only depend on earlier items", "dependency_cycle"));
            }

            if (!seen.ContainsKey(dep))
            {
                var later = ids.IndexOf(dep);
                return (result, later > index
                    ? RequestProblem.Field(param, $"'{param}' names '{dep}', which is items[{later}], after this item: a forward reference; an item can only depend on earlier items (reorder them)", "dependency_forward_reference")
                    : RequestProblem.Field(param, $"'{param}' names '{dep}', which is not an item of this job", "dependency_unknown"));
            }

            if (!result.Contains(dep, StringComparer.Ordinal))
            {
                result.Add(dep);
            }
        }

        return (result, null);
    }

    private static (Uri? Url, string? Secret, bool PerItem, RequestProblem? Problem) Webhook(JsonElement root)
    {
        if (!root.TryGetProperty("webhook", out var webhook) || webhook.ValueKind == JsonValueKind.Null)
        {
            return (null, null, false, null);
        }

        if (webhook.ValueKind != JsonValueKind.Object)
        {
            return (null, null, false, RequestProblem.Field("webhook", $"'webhook' must be an object with a 'url', got {JsonRequest.Describe(webhook)}", "invalid_type"));
        }

        foreach (var property in webhook.EnumerateObject().Where(p => !WebhookKeys.Contains(p.Name)))
        {
            return (null, null, false, RequestProblem.Field($"webhook.{property.Name}", $"unknown field 'webhook.{property.Name}'; expected: {string.Join(", ", WebhookKeys)}", "unknown_parameter"));
        }

        var rawUrl = webhook.TryGetProperty("url", out var urlElement) && urlElement.ValueKind == JsonValueKind.String ? urlElement.GetString() : null;
        if (rawUrl is null || !Uri.TryCreate(rawUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.UserInfo.Length > 0)
        {
            return (null, null, false, RequestProblem.Field("webhook.url", "'webhook.url' must be an absolute http or https URL without credentials", rawUrl is null ? "missing_required_parameter" : "invalid_value"));
        }

        string? secret = null;
        if (webhook.TryGetProperty("secret", out var secretElement) && secretElement.ValueKind != JsonValueKind.Null)
        {
            secret = secretElement.ValueKind == JsonValueKind.String ? secretElement.GetString() : null;
            if (secret is null || !StandardWebhook.IsValidSecret(secret))
            {
                // The value is never echoed: it is a secret even when malformed.
                return (null, null, false, RequestProblem.Field("webhook.secret", "'webhook.secret' must be whsec_ followed by base64 of 24 to 64 random bytes (Standard Webhooks form)"));
            }
        }

        var perItem = false;
        if (webhook.TryGetProperty("per_item", out var perItemElement) && perItemElement.ValueKind != JsonValueKind.Null)
        {
            if (perItemElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                return (null, null, false, RequestProblem.Field("webhook.per_item", "'webhook.per_item' must be true or false", "invalid_type"));
            }

            perItem = perItemElement.GetBoolean();
        }

        return (url, secret, perItem, null);
    }

    private static (Parsed?, RequestProblem?) Fail(string param, string message, string code = "invalid_value") => (null, RequestProblem.Field(param, message, code));

    private static (NewJobItem?, RequestProblem?) FailItem(string param, string message, string code = "invalid_value") => (null, RequestProblem.Field(param, message, code));

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex TemplateStandIn();
}
