namespace Switchyard.Generation;

/// <summary>A text-to-speech request, as a provider receives it.</summary>
public sealed record SpeechRequest
{
    /// <summary>The text to speak.</summary>
    public required string Input { get; init; }

    /// <summary>The voice name (OpenAI names such as <c>alloy</c> are accepted everywhere).</summary>
    public required string Voice { get; init; }

    /// <summary>The audio container and codec to return.</summary>
    public AudioFormat Format { get; init; } = AudioFormat.Mp3;

    /// <summary>Speed factor, 0.25 to 4.</summary>
    public double Speed { get; init; } = 1.0;

    /// <summary>Extra voice instructions, when the provider supports them.</summary>
    public string? Instructions { get; init; }
}
