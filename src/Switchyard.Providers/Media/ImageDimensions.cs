namespace Switchyard.Providers.Media;

/// <summary>What <see cref="ImageInspector"/> found in an encoded image.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="ContentType">The media type of its encoding, e.g. <c>image/png</c>.</param>
public readonly record struct ImageDimensions(int Width, int Height, string ContentType);
