using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Routing;

/// <summary>Applies a preset to a request: its prompt template, negative prompt and style.</summary>
public static class PresetTemplates
{
    /// <summary>The prompt after the preset: <c>{prompt}</c> in the template stands for the caller's prompt, otherwise the template follows it.</summary>
    public static string ApplyPrompt(PresetConfig? preset, string prompt)
    {
        if (preset?.Prompt is not { Length: > 0 } template)
        {
            return prompt;
        }

        return template.Contains("{prompt}", StringComparison.Ordinal)
            ? template.Replace("{prompt}", prompt, StringComparison.Ordinal)
            : $"{prompt}\n{template}";
    }

    /// <summary>The image request with the preset applied; the caller's own values win.</summary>
    public static ImageRequest Apply(PresetConfig? preset, ImageRequest request) => preset is null
        ? request
        : request with
        {
            Prompt = ApplyPrompt(preset, request.Prompt),
            NegativePrompt = request.NegativePrompt ?? preset.NegativePrompt,
            Style = request.Style ?? preset.Style,
            Strength = request.Strength ?? (request.IsEdit ? preset.Strength : null),
        };
}
