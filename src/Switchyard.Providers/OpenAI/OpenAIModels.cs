using Switchyard.Generation;

namespace Switchyard.Providers.OpenAI;

/// <summary>What the known model families accept: image sizes and counts, and which request fields they take.</summary>
internal static class OpenAIModels
{
    private static readonly (int Width, int Height)[] DallE3Sizes = [(1024, 1024), (1792, 1024), (1024, 1792)];
    private static readonly (int Width, int Height)[] DallE2Sizes = [(256, 256), (512, 512), (1024, 1024)];
    private static readonly (int Width, int Height)[] GptImageSizes = [(1024, 1024), (1536, 1024), (1024, 1536)];

    public static bool IsDallE(string model) => model.StartsWith("dall-e", StringComparison.Ordinal);

    public static bool IsGptImage(string model) => model.StartsWith("gpt-image", StringComparison.Ordinal);

    /// <summary>AI/ML API's flux family: <c>image_size</c> and <c>num_images</c> instead of <c>size</c> and <c>n</c>.</summary>
    public static bool IsFlux(string model, OpenAIFlavor flavor) =>
        ReferenceEquals(flavor, OpenAIFlavor.AimlApi) && model.Contains("flux", StringComparison.OrdinalIgnoreCase);

    /// <summary>tts-1 and tts-1-hd do not take <c>instructions</c>; newer speech models do.</summary>
    public static bool TakesInstructions(string model) => model is not ("tts-1" or "tts-1-hd");

    /// <summary>The largest input image gpt-image models take for an edit.</summary>
    public const long GptImageMaxInputBytes = 50L * 1024 * 1024;

    /// <summary>The largest input image (and mask) dall-e-2 takes.</summary>
    public const long DallE2MaxInputBytes = 4L * 1024 * 1024;

    /// <summary>
    /// The AI/ML API model an edit of <paramref name="model"/> is sent to: an <c>…/image-to-image</c> model as named,
    /// <c>flux/dev</c> as <c>flux/dev/image-to-image</c>; null when the flux model has no image-to-image variant.
    /// </summary>
    public static string? FluxEditModel(string model) =>
        model.EndsWith("/image-to-image", StringComparison.Ordinal) ? model
        : model == "flux/dev" ? "flux/dev/image-to-image"
        : null;

    /// <summary>Null when <paramref name="model"/> can make the images asked for; otherwise why not.</summary>
    public static string? CheckImage(string model, ImageRequest request, OpenAIFlavor flavor) =>
        request.IsEdit ? CheckEdit(model, request, flavor) ?? CheckGeneration(model, request, flavor) : CheckGeneration(model, request, flavor);

    // What /images/edits (or flux image-to-image) takes: input count, types, sizes and mask.
    private static string? CheckEdit(string model, ImageRequest request, OpenAIFlavor flavor)
    {
        if (IsFlux(model, flavor))
        {
            if (FluxEditModel(model) is null)
            {
                return $"{model} has no image-to-image variant; route edits to flux/dev or flux/dev/image-to-image";
            }

            return request.Inputs.Count != 1 ? $"{model} edits one input image per request, not {request.Inputs.Count}"
                : request.Mask is not null ? $"{model} image-to-image takes no mask"
                : null;
        }

        if (model == "dall-e-3")
        {
            return "dall-e-3 cannot edit images; route edits to gpt-image-1 or dall-e-2";
        }

        if (model == "dall-e-2")
        {
            var input = request.Inputs[0];
            if (request.Inputs.Count != 1)
            {
                return $"dall-e-2 edits one input image per request, not {request.Inputs.Count}";
            }

            if (input.ContentType != "image/png" || input.Width != input.Height || input.Data.Length >= DallE2MaxInputBytes)
            {
                return $"dall-e-2 edits a square PNG under 4 MB, not a {input.Width}x{input.Height} {input.ContentType} of {input.Data.Length:N0} bytes";
            }
        }
        else if (IsGptImage(model))
        {
            if (request.Inputs.Count > 16)
            {
                return $"{model} edits up to 16 input images per request, not {request.Inputs.Count}";
            }

            if (request.Inputs.FirstOrDefault(i => i.ContentType is not ("image/png" or "image/jpeg" or "image/webp") || i.Data.Length >= GptImageMaxInputBytes) is { } bad)
            {
                return $"{model} edits PNG, JPEG or WebP images under 50 MB, not a {bad.ContentType} of {bad.Data.Length:N0} bytes";
            }
        }

        if (request.Mask is { } mask)
        {
            var first = request.Inputs[0];
            if (mask.ContentType != "image/png" || mask.Width != first.Width || mask.Height != first.Height || mask.Data.Length >= DallE2MaxInputBytes)
            {
                return $"{model} takes a PNG mask under 4 MB of the first image's size ({first.Width}x{first.Height}), not a {mask.Width}x{mask.Height} {mask.ContentType}";
            }
        }

        return null;
    }

    private static string? CheckGeneration(string model, ImageRequest request, OpenAIFlavor flavor)
    {
        if (model == "dall-e-3")
        {
            return request.Count != 1 ? $"dall-e-3 generates one image per request, not {request.Count}" : CheckSize(model, request, DallE3Sizes);
        }

        if (model == "dall-e-2")
        {
            return CheckCount(model, request, 10) ?? CheckSize(model, request, DallE2Sizes);
        }

        if (IsGptImage(model))
        {
            return CheckCount(model, request, 10) ?? CheckSize(model, request, GptImageSizes);
        }

        if (IsFlux(model, flavor))
        {
            if (request.Width % 32 != 0 || request.Height % 32 != 0 || request.Width is < 64 or > 2048 || request.Height is < 64 or > 2048)
            {
                return $"{model} makes images whose sides are multiples of 32 from 64 to 2048, not {request.Width}x{request.Height}";
            }

            return CheckCount(model, request, 4);
        }

        // Unknown models on compatible servers: the server decides.
        return null;
    }

    private static string? CheckCount(string model, ImageRequest request, int max) =>
        request.Count < 1 || request.Count > max ? $"{model} generates 1 to {max} images per request, not {request.Count}" : null;

    private static string? CheckSize(string model, ImageRequest request, (int Width, int Height)[] sizes) =>
        sizes.Contains((request.Width, request.Height))
            ? null
            : $"{model} does not generate {request.Width}x{request.Height} images; sizes: {string.Join(", ", sizes.Select(s => $"{s.Width}x{s.Height}"))}";

    /// <summary>
    /// The quality value for the model: gpt-image models take low/medium/high/auto, dall-e-3 standard/hd;
    /// the other family's words are translated, dall-e-2 and unknown families get what the caller sent.
    /// </summary>
    public static string? Quality(string model, string? quality)
    {
        if (quality is null)
        {
            return null;
        }

        if (IsGptImage(model))
        {
            return quality switch { "hd" => "high", "standard" => "medium", _ => quality };
        }

        if (model == "dall-e-3")
        {
            return quality switch { "high" => "hd", "low" or "medium" or "auto" => "standard", _ => quality };
        }

        return model == "dall-e-2" ? null : quality;
    }
}
