namespace Switchyard.Generation;

/// <summary>An image generation request, as a provider receives it.</summary>
public sealed record ImageRequest
{
    /// <summary>The prompt, after presets and prompt rules were applied.</summary>
    public required string Prompt { get; init; }

    /// <summary>What the image must not show, when the provider supports it.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>How many images, 1 to 4.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Width in pixels.</summary>
    public int Width { get; init; } = 1024;

    /// <summary>Height in pixels.</summary>
    public int Height { get; init; } = 1024;

    /// <summary>Provider-specific quality hint (e.g. <c>standard</c>, <c>hd</c>).</summary>
    public string? Quality { get; init; }

    /// <summary>Style hint (e.g. <c>vivid</c>, <c>natural</c>).</summary>
    public string? Style { get; init; }

    /// <summary>A fixed seed for reproducible output, when the provider supports it.</summary>
    public long? Seed { get; init; }
}
