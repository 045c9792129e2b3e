using Switchyard.Configuration;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// Creates <c>type: aimlapi</c> providers: AI/ML API's OpenAI-style gateway at <c>https://api.aimlapi.com/v1</c>
/// (images through <c>/images/generations</c>, flux models with <c>image_size</c>; chat through <c>/chat/completions</c>),
/// with the same client as <c>openai</c>. <c>api_key</c> is required.
/// </summary>
public sealed class AimlApiProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value.</summary>
    public const string TypeName = "aimlapi";

    /// <inheritdoc />
    public string Type => TypeName;

    /// <summary>Checks <c>base_url</c> and the settings <c>organization</c>, <c>project</c>, <c>max_tokens_field</c>, <c>download_timeout</c>.</summary>
    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => OpenAIProviderSetup.Validate(OpenAIFlavor.AimlApi, config, path);

    /// <summary>Creates the provider, taking <see cref="IHttpClientFactory"/>, <see cref="TimeProvider"/> and an <c>ILoggerFactory</c> from <paramref name="services"/> when registered.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => OpenAIProviderSetup.Create(OpenAIFlavor.AimlApi, config, services);
}
