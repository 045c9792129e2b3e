namespace Switchyard.Generation;

/// <summary>
/// An empty success is a failure: checks a provider's output before it is served. Images must
/// decode at the requested size and count, audio must have a valid header and a duration, text
/// must be non-blank and not a safety stop.
/// </summary>
public sealed class OutputValidator
{
    private readonly IMediaInspector _inspector;

    /// <summary>Creates the validator.</summary>
    public OutputValidator(IMediaInspector inspector)
    {
        _inspector = inspector;
    }

    /// <summary>Null when the images are usable; otherwise the failure to record.</summary>
    public ProviderFailure? Check(ImageRequest request, ImageOutput output)
    {
        if (output.Images.Count == 0)
        {
            return Empty("the provider answered with no images");
        }

        if (output.Images.Count < request.Count)
        {
            return Empty($"asked for {request.Count} images, got {output.Images.Count}", "short_output");
        }

        for (var i = 0; i < output.Images.Count; i++)
        {
            var image = output.Images[i];
            if (image.Data.IsEmpty)
            {
                return Empty($"image {i} is empty");
            }

            if (_inspector.ProbeImage(image.Data) is not { } size)
            {
                return Empty($"image {i} ({image.Data.Length} bytes) does not decode", "undecodable_output");
            }

            if (size.Width != request.Width || size.Height != request.Height)
            {
                return Empty($"image {i} is {size.Width}x{size.Height}, asked for {request.Width}x{request.Height}", "wrong_size");
            }
        }

        return null;
    }

    /// <summary>Null when the text is usable; otherwise the failure to record.</summary>
    public static ProviderFailure? Check(ChatOutput output)
    {
        if (string.Equals(output.FinishReason, "content_filter", StringComparison.Ordinal))
        {
            return new ProviderFailure { Class = ErrorClass.ContentRejected, Message = "the provider stopped on its content filter", Code = "content_filter", Step = "receive" };
        }

        return string.IsNullOrWhiteSpace(output.Content) ? Empty("the provider answered with blank text") : null;
    }

    /// <summary>Null when the audio is usable; otherwise the failure to record.</summary>
    public ProviderFailure? Check(SpeechRequest request, SpeechOutput output)
    {
        if (output.Audio.IsEmpty)
        {
            return Empty("the provider answered with no audio");
        }

        if (output.Format != request.Format)
        {
            return Empty($"asked for {request.Format.ToWire()}, got {output.Format.ToWire()}", "wrong_format");
        }

        return _inspector.ProbeAudio(output.Audio, output.Format) is { } probe && (probe.Duration ?? output.Duration) > TimeSpan.Zero
            ? null
            : Empty($"the {output.Format.ToWire()} audio ({output.Audio.Length} bytes) has no valid header or no duration", "undecodable_output");
    }

    private static ProviderFailure Empty(string message, string code = "empty_output") =>
        new() { Class = ErrorClass.Unavailable, Message = message, Code = code, Step = "validate" };
}
