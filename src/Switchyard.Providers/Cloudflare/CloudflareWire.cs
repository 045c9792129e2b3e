using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Providers.Cloudflare;

// The Workers AI wire shapes. Requests are per model family; every JSON answer of the REST API is the Cloudflare
// envelope {"result": ..., "success": bool, "errors": [{"code", "message"}], "messages": [...]}.

/// <summary>One chat message as Workers AI takes it.</summary>
internal sealed record CloudflareMessage(string Role, string Content);

/// <summary>The body of a text generation call.</summary>
internal sealed record CloudflareChatBody
{
    public required IReadOnlyList<CloudflareMessage> Messages { get; init; }

    public int? MaxTokens { get; init; }

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public long? Seed { get; init; }

    public bool? Stream { get; init; }
}

/// <summary>The body of a text-to-image call; which fields are set depends on the model family.</summary>
internal sealed record CloudflareImageBody
{
    public required string Prompt { get; init; }

    public string? NegativePrompt { get; init; }

    public int? Width { get; init; }

    public int? Height { get; init; }

    public long? Seed { get; init; }
}

/// <summary>The body of a MeloTTS call.</summary>
internal sealed record CloudflareSpeechBody(string Prompt, string Lang);

/// <summary>One entry of the envelope's <c>errors</c>.</summary>
internal sealed record CloudflareError
{
    public int Code { get; init; }

    public string? Message { get; init; }
}

/// <summary>The envelope of every JSON answer.</summary>
internal sealed record CloudflareEnvelope
{
    public bool? Success { get; init; }

    public IReadOnlyList<CloudflareError>? Errors { get; init; }

    public JsonElement? Result { get; init; }
}

/// <summary>Token counts some text models report.</summary>
internal sealed record CloudflareUsage
{
    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }
}

/// <summary>Source-generated JSON for the Workers AI shapes (snake_case, nulls omitted).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(CloudflareChatBody))]
[JsonSerializable(typeof(CloudflareImageBody))]
[JsonSerializable(typeof(CloudflareSpeechBody))]
[JsonSerializable(typeof(CloudflareEnvelope))]
[JsonSerializable(typeof(CloudflareUsage))]
internal sealed partial class CloudflareJsonContext : JsonSerializerContext;
