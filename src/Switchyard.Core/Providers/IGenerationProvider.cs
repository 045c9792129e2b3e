using Switchyard.Generation;

namespace Switchyard.Providers;

/// <summary>
/// One configured provider (an entry under <c>providers:</c> in the config). Adapters turn the
/// gateway's requests into the provider's wire format and map every outcome to the contract:
/// output, or a <see cref="ProviderFailure"/> with its error class. Expected failures are returned, not thrown.
/// </summary>
public interface IGenerationProvider
{
    /// <summary>The name the config gives it, e.g. <c>openai</c> or <c>sandbox-a</c>.</summary>
    string Name { get; }

    /// <summary>The adapter type, e.g. <c>openai</c>, <c>sandbox</c>, <c>placeholder</c>.</summary>
    string Type { get; }

    /// <summary>Whether the provider has what it needs (secrets, base URL). Misconfigured providers are skipped.</summary>
    ProviderReadiness Readiness { get; }

    /// <summary>The models it serves per modality, as advertised by <c>GET /v1/models</c>.</summary>
    IReadOnlyList<string> ModelsFor(Modality modality);

    /// <summary>
    /// Whether it can take input images (edits, image-to-image). Adapters that cannot are skipped
    /// as <c>not_capable</c> for edits by the engine, so an edit is never silently served as a
    /// plain generation.
    /// </summary>
    bool SupportsImageInputs => false;

    /// <summary>Null when it can serve the request with this model, otherwise why not (the attempt is skipped as <c>not_capable</c>).</summary>
    string? CheckCapable(Modality modality, string? model, object request);

    /// <summary>Generates images.</summary>
    ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken);

    /// <summary>Completes a chat.</summary>
    ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken);

    /// <summary>Streams a chat completion. A failure before the first text lets the gateway fall back; after it, the stream ends with the failure.</summary>
    IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken);

    /// <summary>Synthesizes speech.</summary>
    ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken);
}

/// <summary>Whether a provider is usable, and if not, the cause and the fix.</summary>
/// <param name="IsReady">True when its configuration is complete.</param>
/// <param name="Problem">Why it is not, naming the missing variable or setting.</param>
public sealed record ProviderReadiness(bool IsReady, string? Problem)
{
    /// <summary>A usable provider.</summary>
    public static ProviderReadiness Ready { get; } = new(true, null);

    /// <summary>A provider missing something.</summary>
    public static ProviderReadiness Misconfigured(string problem) => new(false, problem);
}
