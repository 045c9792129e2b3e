using Switchyard.Configuration;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// Creates <c>type: openai</c> providers (base URL <c>https://api.openai.com/v1</c>, <c>api_key</c> required) or
/// <c>type: openai-compatible</c> providers (any server speaking the OpenAI API: <c>base_url</c> required, <c>api_key</c> optional).
/// </summary>
public sealed class OpenAIProviderFactory : IProviderFactory
{
    /// <summary>The <c>type:</c> value of OpenAI itself.</summary>
    public const string OpenAITypeName = "openai";

    /// <summary>The <c>type:</c> value of other servers speaking the OpenAI API (Ollama, vLLM, LocalAI, LM Studio).</summary>
    public const string CompatibleTypeName = "openai-compatible";

    private readonly OpenAIFlavor _flavor;

    /// <summary>Creates the factory of <c>type: openai</c>.</summary>
    public OpenAIProviderFactory()
        : this(OpenAITypeName)
    {
    }

    /// <summary>Creates the factory of <paramref name="type"/>: <see cref="OpenAITypeName"/> or <see cref="CompatibleTypeName"/>.</summary>
    public OpenAIProviderFactory(string type)
    {
        _flavor = type switch
        {
            OpenAITypeName => OpenAIFlavor.OpenAI,
            CompatibleTypeName => OpenAIFlavor.Compatible,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, $"expected {OpenAITypeName} or {CompatibleTypeName}"),
        };
    }

    /// <inheritdoc />
    public string Type => _flavor.TypeName;

    /// <summary>Checks <c>base_url</c> (required for <c>openai-compatible</c>) and the settings <c>organization</c>, <c>project</c>, <c>max_tokens_field</c>, <c>download_timeout</c>.</summary>
    public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => OpenAIProviderSetup.Validate(_flavor, config, path);

    /// <summary>Creates the provider, taking <see cref="IHttpClientFactory"/>, <see cref="TimeProvider"/> and an <c>ILoggerFactory</c> from <paramref name="services"/> when registered.</summary>
    public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => OpenAIProviderSetup.Create(_flavor, config, services);
}
