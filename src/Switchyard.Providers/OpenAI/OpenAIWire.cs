using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// The OpenAI wire format (and AI/ML API's variants of it) as far as the adapter sends and reads it.
/// Field names are snake_case through <see cref="OpenAIJsonContext"/>; absent fields stay null and are not sent.
/// </summary>
/// <remarks>
/// The answers (read, never built here) have settable properties: with <c>init</c> the source generator reads a type
/// through its parameterized-constructor path, an <see cref="object"/> array of boxed values per object.
/// </remarks>
internal static class OpenAIWire
{
    /// <summary>POST /images/generations.</summary>
    public sealed record ImageGenerationRequest
    {
        public required string Model { get; init; }

        public required string Prompt { get; init; }

        public int? N { get; init; }

        public string? Size { get; init; }

        public string? ResponseFormat { get; init; }

        public string? Quality { get; init; }

        public string? Style { get; init; }

        // AI/ML API's flux models: image_size { width, height }, num_images and seed instead of size and n.
        public ImageSize? ImageSize { get; init; }

        public int? NumImages { get; init; }

        public long? Seed { get; init; }

        // AI/ML API's flux image-to-image: the input as a URL (a data: URL here) and how far to move from it.
        public string? ImageUrl { get; init; }

        public double? Strength { get; init; }
    }

    public sealed record ImageSize(int Width, int Height);

    /// <summary>The answer of /images/generations: OpenAI's <c>data</c>, or AI/ML API's fal-style <c>images</c>.</summary>
    public sealed record ImageGenerationResponse
    {
        public long? Created { get; set; }

        public List<ImageDatum>? Data { get; set; }

        public List<FalImage>? Images { get; set; }

        public List<bool>? HasNsfwConcepts { get; set; }
    }

    public sealed record ImageDatum
    {
        public Base64Payload? B64Json { get; set; }

        public string? Url { get; set; }

        public string? RevisedPrompt { get; set; }

        public bool? ContentViolation { get; set; }
    }

    public sealed record FalImage
    {
        public string? Url { get; set; }

        public int? Width { get; set; }

        public int? Height { get; set; }

        public string? ContentType { get; set; }
    }

    /// <summary>POST /chat/completions. The token limit goes out as <c>max_tokens</c> or <c>max_completion_tokens</c>, whichever is set.</summary>
    public sealed record ChatCompletionRequest
    {
        public required string Model { get; init; }

        public required List<Message> Messages { get; init; }

        public int? MaxTokens { get; init; }

        public int? MaxCompletionTokens { get; init; }

        public double? Temperature { get; init; }

        public double? TopP { get; init; }

        public long? Seed { get; init; }

        public List<string>? Stop { get; init; }

        public ResponseFormat? ResponseFormat { get; init; }

        public bool? Stream { get; init; }

        public StreamOptions? StreamOptions { get; init; }
    }

    public sealed record Message(string Role, string? Content);

    public sealed record ResponseFormat(string Type);

    public sealed record StreamOptions(bool IncludeUsage);

    public sealed record Choice
    {
        public int Index { get; set; }

        public ChoiceMessage? Message { get; set; }

        public ChoiceMessage? Delta { get; set; }

        public string? FinishReason { get; set; }
    }

    public sealed record ChoiceMessage
    {
        public string? Role { get; set; }

        public string? Content { get; set; }

        public string? Refusal { get; set; }
    }

    public sealed record Usage
    {
        public int? PromptTokens { get; set; }

        public int? CompletionTokens { get; set; }
    }

    /// <summary>One <c>data:</c> event of a streamed completion; an <c>error</c> member ends the stream with a failure.</summary>
    public sealed record ChatCompletionChunk
    {
        public List<Choice>? Choices { get; set; }

        public Usage? Usage { get; set; }

        public JsonElement? Error { get; set; }
    }

    /// <summary>POST /audio/speech.</summary>
    public sealed record SpeechRequest
    {
        public required string Model { get; init; }

        public required string Input { get; init; }

        public required string Voice { get; init; }

        public required string ResponseFormat { get; init; }

        public double? Speed { get; init; }

        public string? Instructions { get; init; }
    }
}
