namespace Switchyard.Generation;

/// <summary>One generated image.</summary>
/// <param name="Data">The encoded image bytes.</param>
/// <param name="ContentType">Its media type, e.g. <c>image/png</c>.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="RevisedPrompt">The prompt the provider says it used, if it rewrote it.</param>
public sealed record GeneratedImage(ReadOnlyMemory<byte> Data, string ContentType, int Width, int Height, string? RevisedPrompt = null);

/// <summary>The images a provider generated for one request.</summary>
/// <param name="Images">The images, in order.</param>
public sealed record ImageOutput(IReadOnlyList<GeneratedImage> Images);

/// <summary>A whole chat completion.</summary>
/// <param name="Content">The assistant's text.</param>
/// <param name="FinishReason">stop, length or content_filter.</param>
/// <param name="PromptTokens">Input tokens, as counted or estimated.</param>
/// <param name="CompletionTokens">Output tokens, as counted or estimated.</param>
public sealed record ChatOutput(string Content, string FinishReason, int PromptTokens, int CompletionTokens);

/// <summary>Synthesized speech.</summary>
/// <param name="Audio">The encoded audio.</param>
/// <param name="Format">Its format.</param>
/// <param name="Duration">How long it plays.</param>
public sealed record SpeechOutput(ReadOnlyMemory<byte> Audio, AudioFormat Format, TimeSpan Duration);

/// <summary>One event of a streamed chat completion: a piece of text, the end, or a failure.</summary>
public readonly record struct ChatStreamEvent
{
    /// <summary>The text of this piece (empty on the final event).</summary>
    public string Delta { get; init; }

    /// <summary>Set on the final event: stop, length or content_filter.</summary>
    public string? FinishReason { get; init; }

    /// <summary>Set when the stream failed at this point.</summary>
    public ProviderFailure? Failure { get; init; }

    /// <summary>A piece of text.</summary>
    public static ChatStreamEvent Text(string delta) => new() { Delta = delta };

    /// <summary>The end of the stream.</summary>
    public static ChatStreamEvent Finish(string reason) => new() { Delta = string.Empty, FinishReason = reason };

    /// <summary>A failure at this point of the stream.</summary>
    public static ChatStreamEvent Fail(ProviderFailure failure) => new() { Delta = string.Empty, Failure = failure };
}
