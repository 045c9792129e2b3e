using Switchyard.Generation;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// What differs between the three adapter types that speak the OpenAI wire format: their <c>type:</c> name,
/// default base URL, whether a key is required, the models they advertise, and small request differences.
/// </summary>
internal sealed record OpenAIFlavor
{
    /// <summary><c>type: openai</c>: api.openai.com, key required.</summary>
    public static OpenAIFlavor OpenAI { get; } = new()
    {
        TypeName = "openai",
        Product = "OpenAI",
        DefaultBaseUrl = "https://api.openai.com/v1",
        RequiresApiKey = true,
        KeyVariableHint = "OPENAI_API_KEY",
        MaxTokensField = "max_completion_tokens",
        StreamUsage = true,
        DefaultModels = new Dictionary<Modality, IReadOnlyList<string>>
        {
            [Modality.Image] = ["gpt-image-1", "dall-e-3", "dall-e-2"],
            [Modality.Text] = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1", "gpt-4.1-nano"],
            [Modality.Speech] = ["gpt-4o-mini-tts", "tts-1", "tts-1-hd"],
        },
    };

    /// <summary><c>type: openai-compatible</c>: any server speaking the OpenAI API (Ollama, vLLM, LocalAI, LM Studio); base URL required, key optional.</summary>
    public static OpenAIFlavor Compatible { get; } = new()
    {
        TypeName = "openai-compatible",
        Product = "OpenAI-compatible server",
        DefaultBaseUrl = null,
        RequiresApiKey = false,
        KeyVariableHint = "LOCAL_LLM_API_KEY",
        MaxTokensField = "max_tokens",
        StreamUsage = false,
        DefaultModels = new Dictionary<Modality, IReadOnlyList<string>>(),
    };

    /// <summary><c>type: aimlapi</c>: AI/ML API's OpenAI-style gateway (flux image models and OpenAI-style chat); key required.</summary>
    public static OpenAIFlavor AimlApi { get; } = new()
    {
        TypeName = "aimlapi",
        Product = "AI/ML API",
        DefaultBaseUrl = "https://api.aimlapi.com/v1",
        RequiresApiKey = true,
        KeyVariableHint = "AIMLAPI_KEY",
        MaxTokensField = "max_tokens",
        StreamUsage = false,
        SupportsSpeech = false,
        DefaultModels = new Dictionary<Modality, IReadOnlyList<string>>
        {
            [Modality.Image] = ["flux/schnell", "flux/dev", "flux-pro/v1.1", "dall-e-3", "flux/dev/image-to-image"],
            [Modality.Text] = ["gpt-4o-mini", "gpt-4o"],
            [Modality.Speech] = [],
        },
    };

    /// <summary>The <c>type:</c> value.</summary>
    public required string TypeName { get; init; }

    /// <summary>The upstream's display name in messages.</summary>
    public required string Product { get; init; }

    /// <summary>The base URL when the config gives none; null when <c>base_url</c> is required.</summary>
    public required string? DefaultBaseUrl { get; init; }

    /// <summary>Whether the provider is misconfigured without <c>api_key</c>.</summary>
    public required bool RequiresApiKey { get; init; }

    /// <summary>The variable name suggested in the fix when <c>api_key</c> is absent.</summary>
    public required string KeyVariableHint { get; init; }

    /// <summary>The chat body field for the token limit (<c>max_completion_tokens</c> on OpenAI, <c>max_tokens</c> elsewhere).</summary>
    public required string MaxTokensField { get; init; }

    /// <summary>Whether to ask for a usage chunk at the end of a stream (<c>stream_options.include_usage</c>).</summary>
    public required bool StreamUsage { get; init; }

    /// <summary>Whether <c>/audio/speech</c> exists on this upstream.</summary>
    public bool SupportsSpeech { get; init; } = true;

    /// <summary>The models advertised per modality when the config lists none; empty for compatible servers (any named model is tried).</summary>
    public required IReadOnlyDictionary<Modality, IReadOnlyList<string>> DefaultModels { get; init; }
}
