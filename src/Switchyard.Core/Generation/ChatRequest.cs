namespace Switchyard.Generation;

/// <summary>One message of a chat conversation.</summary>
/// <param name="Role">system, user, assistant, developer or tool.</param>
/// <param name="Content">The text content (multi-part contents are flattened to their text).</param>
public sealed record ChatMessage(string Role, string Content);

/// <summary>A chat completion request, as a provider receives it.</summary>
public sealed record ChatRequest
{
    /// <summary>The conversation, oldest first.</summary>
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Upper bound of generated tokens.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>Sampling temperature.</summary>
    public double? Temperature { get; init; }

    /// <summary>Nucleus sampling.</summary>
    public double? TopP { get; init; }

    /// <summary>A fixed seed for reproducible output.</summary>
    public long? Seed { get; init; }

    /// <summary>Stop sequences.</summary>
    public IReadOnlyList<string>? Stop { get; init; }

    /// <summary>The caller asked for JSON output (<c>response_format: json_object</c>).</summary>
    public bool JsonOutput { get; init; }
}
