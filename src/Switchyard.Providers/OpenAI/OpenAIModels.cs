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

    /// <summary>Null when <paramref name="model"/> can make the images asked for; otherwise why not.</summary>
    public static string? CheckImage(string model, ImageRequest request, OpenAIFlavor flavor)
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
