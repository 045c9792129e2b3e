using System.Text.Json.Serialization;

namespace Switchyard.Providers.OpenAI;

/// <summary>Source-generated serialization of <see cref="OpenAIWire"/>: snake_case names, nulls omitted.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(OpenAIWire.ImageGenerationRequest))]
[JsonSerializable(typeof(OpenAIWire.ImageGenerationResponse))]
[JsonSerializable(typeof(OpenAIWire.ChatCompletionRequest))]
[JsonSerializable(typeof(OpenAIWire.ChatCompletionChunk))]
[JsonSerializable(typeof(OpenAIWire.SpeechRequest))]
internal sealed partial class OpenAIJsonContext : JsonSerializerContext
{
}
