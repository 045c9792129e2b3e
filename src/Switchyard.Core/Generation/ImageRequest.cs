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

    /// <summary>Input images for an edit (image-to-image); empty for a generation.</summary>
    public IReadOnlyList<ImageInput> Inputs { get; init; } = [];

    /// <summary>A mask for an edit: transparent where the image may change.</summary>
    public ImageInput? Mask { get; init; }

    /// <summary>How far an edit may move from its input, 0 (keep) to 1 (ignore it).</summary>
    public double? Strength { get; init; }

    /// <summary>Whether this is an edit of input images.</summary>
    public bool IsEdit => Inputs.Count > 0;
}

/// <summary>An input image of an edit, already fetched, sniffed and decoded once by the gateway.</summary>
/// <param name="Data">The encoded bytes.</param>
/// <param name="ContentType">The sniffed media type.</param>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
public sealed record ImageInput(ReadOnlyMemory<byte> Data, string ContentType, int Width, int Height);
