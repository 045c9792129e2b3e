using Switchyard.Generation;
using Switchyard.Providers.Cloudflare;
using Switchyard.Providers.Espeak;
using Switchyard.Providers.Media;
using Switchyard.Providers.OpenAI;
using Switchyard.Providers.Placeholder;
using Switchyard.Providers.Sandbox;
using Switchyard.Providers.Stability;

namespace Switchyard.Providers;

/// <summary>Every provider type this build knows (the values of <c>type:</c>), and the media inspector used to check outputs.</summary>
public static class ProviderCatalog
{
    /// <summary>One factory per provider type.</summary>
    public static IReadOnlyList<IProviderFactory> Factories { get; } =
    [
        new SandboxProviderFactory(),
        new PlaceholderProviderFactory(),
        new OpenAIProviderFactory(OpenAIProviderFactory.OpenAITypeName),
        new OpenAIProviderFactory(OpenAIProviderFactory.CompatibleTypeName),
        new AimlApiProviderFactory(),
        new CloudflareWorkersAiProviderFactory(),
        new StabilityProviderFactory(),
        new EspeakProviderFactory(),
    ];

    /// <summary>Decodes images and audio headers to prove outputs are real.</summary>
    public static IMediaInspector MediaInspector { get; } = new MediaInspector();
}
