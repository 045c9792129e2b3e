using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>
/// Estimates what a successful attempt cost from the config's price table: per image (by quality,
/// else size, else default), per 1k input and output tokens, per 1k characters of speech. Failed
/// and skipped attempts cost nothing; no price known means no estimate (null), never a guess.
/// </summary>
public static class CostEstimator
{
    /// <summary>The estimate for <paramref name="output"/> served for <paramref name="request"/>, or null.</summary>
    public static decimal? Estimate(ModelPrice? price, object request, object? output) => (price, request, output) switch
    {
        (null, _, _) or (_, _, null) => null,
        (_, ImageRequest image, ImageOutput images) => PerImage(price, image) * images.Images.Count,
        (_, ChatRequest, ChatOutput chat) => Tokens(price, chat.PromptTokens, chat.CompletionTokens),
        (_, SpeechRequest speech, SpeechOutput) => price.Per1kChars * speech.Input.Length / 1000m,
        _ => null,
    };

    /// <summary>The estimate for a chat of <paramref name="promptTokens"/> in and <paramref name="completionTokens"/> out.</summary>
    public static decimal? Tokens(ModelPrice? price, int promptTokens, int completionTokens)
    {
        if (price is null || (price.Per1kInputTokens is null && price.Per1kOutputTokens is null))
        {
            return null;
        }

        return ((price.Per1kInputTokens ?? 0) * promptTokens / 1000m) + ((price.Per1kOutputTokens ?? 0) * completionTokens / 1000m);
    }

    private static decimal? PerImage(ModelPrice price, ImageRequest request) =>
        request.Quality is { } quality && price.PerImageByQuality.TryGetValue(quality, out var byQuality) ? byQuality
        : price.PerImageBySize.TryGetValue($"{request.Width}x{request.Height}", out var bySize) ? bySize
        : price.PerImage;
}
