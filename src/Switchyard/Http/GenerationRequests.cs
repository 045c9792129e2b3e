using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Http;

/// <summary>Turns OpenAI request bodies into the gateway's requests, naming the field of the first problem.</summary>
internal static class GenerationRequests
{
    private static readonly string[] ImageResponseFormats = ["url", "b64_json"];
    private static readonly string[] ImageOutputFormats = ["png"];
    private static readonly string[] ChatRoles = ["system", "developer", "user", "assistant", "tool"];
    private static readonly string[] SpeechStreamFormats = ["audio"];

    public sealed record ParsedImage(string? Model, ImageRequest Request, bool WantsUrl);

    public sealed record ParsedChat(string? Model, ChatRequest Request, bool Stream, bool IncludeUsage, string Prompt);

    public sealed record ParsedSpeech(string? Model, SpeechRequest Request);

    // The edit inputs, read from the body by the edits endpoint itself.
    private static readonly string[] EditInputFields = ["image", "image[]", "image_url", "mask"];

    public static (ParsedImage? Value, RequestProblem? Problem) Image(JsonRequest json, ServerConfig server, bool edit = false)
    {
        var model = json.String("model");
        var prompt = json.String("prompt", required: true, maxLength: server.MaxPromptChars);
        var n = json.Integer("n", 1, 4) ?? 1;
        var (width, height) = Size(json, json.String("size"));
        var responseFormat = json.Enum("response_format", ImageResponseFormats) ?? "b64_json";
        json.Enum("output_format", ImageOutputFormats);
        var quality = json.String("quality");
        var style = json.String("style");
        var negative = json.String("negative_prompt", maxLength: server.MaxPromptChars);
        var seed = json.Integer("seed", 0, uint.MaxValue);
        var strength = edit ? json.Number("strength", 0, 1) : null;
        json.String("user", allowEmpty: true);
        json.RejectUnknown(server.UnknownFields, edit ? EditInputFields : []);
        if (json.Problem is { } problem)
        {
            return (null, problem);
        }

        var request = new ImageRequest
        {
            Prompt = prompt!,
            NegativePrompt = negative,
            Count = (int)n,
            Width = width,
            Height = height,
            Quality = quality,
            Style = style,
            Seed = seed,
            Strength = strength,
        };
        return (new ParsedImage(model, request, responseFormat == "url"), null);
    }

    public static (ParsedChat? Value, RequestProblem? Problem) Chat(JsonRequest json, ServerConfig server)
    {
        var model = json.String("model");
        var messages = Messages(json, server);
        var stream = json.Boolean("stream") ?? false;
        var maxTokens = json.Integer("max_completion_tokens", 1, 1_000_000) ?? json.Integer("max_tokens", 1, 1_000_000);
        var temperature = json.Number("temperature", 0, 2);
        var topP = json.Number("top_p", 0, 1);
        var seed = json.Integer("seed", long.MinValue, long.MaxValue);
        if (json.Integer("n", 1, 128) is > 1)
        {
            json.Fail("n", "only n=1 is supported");
        }

        var stop = Stop(json);
        var jsonOutput = false;
        if (json.Element("response_format") is { } format)
        {
            if (format.ValueKind != JsonValueKind.Object || !format.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                json.Fail("response_format", "'response_format' must be an object with a string 'type'", "invalid_type");
            }
            else
            {
                var kind = type.GetString();
                jsonOutput = kind is "json_object" or "json_schema";
                if (kind is not ("text" or "json_object" or "json_schema"))
                {
                    json.Fail("response_format.type", $"'{kind}' is not one of: text, json_object, json_schema");
                }
            }
        }

        var includeUsage = false;
        if (json.Element("stream_options") is { } options)
        {
            includeUsage = options.ValueKind == JsonValueKind.Object && options.TryGetProperty("include_usage", out var usage) && usage.ValueKind == JsonValueKind.True;
        }

        json.RejectUnknown(server.UnknownFields);
        if (json.Problem is { } problem)
        {
            return (null, problem);
        }

        var request = new ChatRequest
        {
            Messages = messages!,
            MaxTokens = (int?)maxTokens,
            Temperature = temperature,
            TopP = topP,
            Seed = seed,
            Stop = stop,
            JsonOutput = jsonOutput,
        };
        var prompt = messages!.LastOrDefault(m => m.Role == "user")?.Content ?? messages![^1].Content;
        return (new ParsedChat(model, request, stream, includeUsage, prompt), null);
    }

    public static (ParsedSpeech? Value, RequestProblem? Problem) Speech(JsonRequest json, ServerConfig server)
    {
        var model = json.String("model");
        var input = json.String("input", required: true, maxLength: 4096);
        string? voice = null;
        if (json.Element("voice") is { ValueKind: JsonValueKind.Object } voiceObject)
        {
            voice = voiceObject.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : json.Fail("voice", "'voice' must be a voice name or an object with a string 'id'", "invalid_type");
        }
        else
        {
            voice = json.String("voice", required: true, maxLength: 128);
        }

        var formatText = json.String("response_format") ?? "mp3";
        if (!AudioFormats.TryParse(formatText, out var format))
        {
            json.Fail("response_format", $"'{formatText}' is not a valid value for 'response_format'; expected one of: mp3, opus, aac, flac, wav, pcm");
        }

        var speed = json.Number("speed", 0.25, 4) ?? 1.0;
        var instructions = json.String("instructions", maxLength: 4096);
        json.Enum("stream_format", SpeechStreamFormats);
        json.RejectUnknown(server.UnknownFields);
        if (json.Problem is { } problem)
        {
            return (null, problem);
        }

        return (new ParsedSpeech(model, new SpeechRequest { Input = input!, Voice = voice!, Format = format, Speed = speed, Instructions = instructions }), null);
    }

    private static (int Width, int Height) Size(JsonRequest json, string? size)
    {
        if (size is null or "auto")
        {
            return (1024, 1024);
        }

        var parts = size.Split('x');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            && width is >= 64 and <= 4096 && height is >= 64 and <= 4096)
        {
            return (width, height);
        }

        json.Fail("size", $"'{size}' is not a size; write WIDTHxHEIGHT such as 1024x1024 (64 to 4096 each), or auto");
        return (1024, 1024);
    }

    private static List<ChatMessage>? Messages(JsonRequest json, ServerConfig server)
    {
        if (json.Element("messages") is not { } array)
        {
            json.Fail("messages", "'messages' is required", "missing_required_parameter");
            return null;
        }

        if (array.ValueKind != JsonValueKind.Array || array.GetArrayLength() == 0)
        {
            json.Fail("messages", array.ValueKind == JsonValueKind.Array ? "'messages' must not be empty" : $"'messages' must be an array, got {JsonRequest.Describe(array)}", "invalid_type");
            return null;
        }

        var messages = new List<ChatMessage>(array.GetArrayLength());
        var total = 0;
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"messages[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                json.Fail(path, $"'{path}' must be an object, got {JsonRequest.Describe(item)}", "invalid_type");
                return null;
            }

            var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
            if (role is null || !ChatRoles.Contains(role))
            {
                json.Fail($"{path}.role", $"'{path}.role' must be one of: {string.Join(", ", ChatRoles)}");
                return null;
            }

            var content = Content(json, item, path);
            if (content is null)
            {
                return null;
            }

            total += content.Length;
            if (total > server.MaxPromptChars * 4)
            {
                json.Fail("messages", $"the messages hold more than {server.MaxPromptChars * 4} characters", "string_above_max_length");
                return null;
            }

            messages.Add(new ChatMessage(role, content));
            index++;
        }

        return messages;
    }

    private static string? Content(JsonRequest json, JsonElement message, string path)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            // Assistant messages that only carried tool calls have no content.
            return "";
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return json.Fail($"{path}.content", $"'{path}.content' must be a string or an array of content parts", "invalid_type");
        }

        var text = new StringBuilder();
        var part = 0;
        foreach (var item in content.EnumerateArray())
        {
            var type = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("type", out var t) ? t.GetString() : null;
            if (type != "text" || !item.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
            {
                return json.Fail($"{path}.content[{part}]", $"'{path}.content[{part}]' must be a text part ({{\"type\":\"text\",\"text\":…}}); other part types are not supported yet", "unsupported_value");
            }

            text.Append(value.GetString());
            part++;
        }

        return text.ToString();
    }

    private static List<string>? Stop(JsonRequest json)
    {
        if (json.Element("stop") is not { } stop)
        {
            return null;
        }

        if (stop.ValueKind == JsonValueKind.String)
        {
            return [stop.GetString()!];
        }

        if (stop.ValueKind == JsonValueKind.Array && stop.GetArrayLength() <= 4 && stop.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String))
        {
            return [.. stop.EnumerateArray().Select(s => s.GetString()!)];
        }

        json.Fail("stop", "'stop' must be a string or an array of up to 4 strings", "invalid_type");
        return null;
    }
}
