using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Tests.OpenAI;

/// <summary>Factories, readiness, models and capability checks of the OpenAI-style providers.</summary>
public sealed class OpenAIProviderSetupTests
{
    [Fact]
    public void Catalog_RegistersTheThreeTypes()
    {
        var types = ProviderCatalog.Factories.Select(f => f.Type).ToList();

        Assert.Contains("openai", types);
        Assert.Contains("openai-compatible", types);
        Assert.Contains("aimlapi", types);
    }

    [Fact]
    public void Validate_CompatibleWithoutBaseUrl_NamesThePath()
    {
        var problems = new OpenAIProviderFactory("openai-compatible").Validate(OpenAITestProviders.Config("openai-compatible", name: "ollama"), "providers.ollama").ToList();

        var problem = Assert.Single(problems);
        Assert.Equal("providers.ollama.base_url", problem.Path);
    }

    [Fact]
    public void Validate_CompatibleWithBaseUrlFromMissingVariable_LeavesItToReadiness()
    {
        var config = OpenAITestProviders.Config("openai-compatible", key: null, missing: ["LLM_URL"], name: "vllm");

        Assert.Empty(new OpenAIProviderFactory("openai-compatible").Validate(config, "providers.vllm"));
        Assert.Contains("LLM_URL", OpenAITestProviders.Create(config).Readiness.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadSettings_ListsEveryProblemWithItsPath()
    {
        var config = OpenAITestProviders.Config(settings: new() { ["max_tokens_field"] = "tokens", ["download_timeout"] = "soon", ["colour"] = "blue" });

        var problems = new OpenAIProviderFactory().Validate(config, "providers.openai").Select(p => p.Path).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["providers.openai.colour", "providers.openai.download_timeout", "providers.openai.max_tokens_field"], problems);
    }

    [Fact]
    public void Validate_NonHttpBaseUrl_IsAProblem()
    {
        var problems = new AimlApiProviderFactory().Validate(OpenAITestProviders.Config("aimlapi", "ftp://example.com/v1"), "providers.aiml").ToList();

        Assert.Equal("providers.aiml.base_url", Assert.Single(problems).Path);
    }

    [Fact]
    public void Readiness_MissingKeyVariable_NamesIt()
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config(key: null, missing: ["OPENAI_API_KEY"]));

        Assert.False(provider.Readiness.IsReady);
        Assert.Contains("OPENAI_API_KEY", provider.Readiness.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Readiness_NoApiKeyInConfig_SaysApiKeyIsNotSet()
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config("aimlapi", key: null));

        Assert.StartsWith("api_key is not set", provider.Readiness.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Readiness_CompatibleWithoutKey_IsReady()
    {
        Assert.True(OpenAITestProviders.Create(OpenAITestProviders.Config("openai-compatible", "http://127.0.0.1:11434/v1", key: null)).Readiness.IsReady);
    }

    [Fact]
    public async Task Calls_WhenMisconfigured_ReturnMisconfiguredWithoutSending()
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config(key: null, missing: ["OPENAI_API_KEY"]));

        var result = await provider.CompleteChatAsync("gpt-4o-mini", TestProviders.Chat("hi"), TestContext.Current.CancellationToken);

        Assert.Equal(ErrorClass.Misconfigured, result.Failure?.Class);
    }

    [Fact]
    public void BaseUrl_DefaultsPerType()
    {
        Assert.Equal("https://api.openai.com/v1", ((OpenAIProvider)OpenAITestProviders.Create(OpenAITestProviders.Config())).BaseUrl);
        Assert.Equal("https://api.aimlapi.com/v1", ((OpenAIProvider)OpenAITestProviders.Create(OpenAITestProviders.Config("aimlapi"))).BaseUrl);
        Assert.Equal("http://127.0.0.1:8000/v1", ((OpenAIProvider)OpenAITestProviders.Create(OpenAITestProviders.Config("openai-compatible", "http://127.0.0.1:8000/v1/"))).BaseUrl);
    }

    [Fact]
    public void ModelsFor_DefaultsAndConfigOverride()
    {
        var defaults = OpenAITestProviders.Create(OpenAITestProviders.Config());
        var overridden = OpenAITestProviders.Create(OpenAITestProviders.Config(models: new() { [Modality.Text] = ["gpt-5-mini"] }));

        Assert.Equal(["gpt-image-1", "dall-e-3", "dall-e-2"], defaults.ModelsFor(Modality.Image));
        Assert.Contains("tts-1", defaults.ModelsFor(Modality.Speech));
        Assert.Equal(["gpt-5-mini"], overridden.ModelsFor(Modality.Text));
        Assert.NotNull(overridden.CheckCapable(Modality.Text, "gpt-4o-mini", TestProviders.Chat("x")));
    }

    [Theory]
    [InlineData("dall-e-3", 1024, 1024, 1, true)]
    [InlineData("dall-e-3", 1792, 1024, 1, true)]
    [InlineData("dall-e-3", 1024, 1024, 2, false)]
    [InlineData("dall-e-3", 512, 512, 1, false)]
    [InlineData("dall-e-2", 256, 256, 4, true)]
    [InlineData("dall-e-2", 1024, 1536, 1, false)]
    [InlineData("gpt-image-1", 1536, 1024, 1, true)]
    [InlineData("gpt-image-1", 1792, 1024, 1, false)]
    public void CheckCapable_ImageSizesAndCounts(string model, int width, int height, int count, bool capable)
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config());

        var reason = provider.CheckCapable(Modality.Image, model, new ImageRequest { Prompt = "x", Width = width, Height = height, Count = count });

        Assert.Equal(capable, reason is null);
    }

    [Fact]
    public void CheckCapable_Compatible_AcceptsAnyNamedModelButNeedsOne()
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config("openai-compatible", "http://127.0.0.1:11434/v1", key: null));

        Assert.Null(provider.CheckCapable(Modality.Text, "llama3.2", TestProviders.Chat("x")));
        Assert.Contains("no default text model", provider.CheckCapable(Modality.Text, null, TestProviders.Chat("x")), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckCapable_AimlApi_HasNoSpeechAndChecksFluxSizes()
    {
        var provider = OpenAITestProviders.Create(OpenAITestProviders.Config("aimlapi"));

        Assert.NotNull(provider.CheckCapable(Modality.Speech, null, new SpeechRequest { Input = "x", Voice = "alloy" }));
        Assert.Null(provider.CheckCapable(Modality.Image, "flux/schnell", new ImageRequest { Prompt = "x", Width = 1024, Height = 768 }));
        Assert.NotNull(provider.CheckCapable(Modality.Image, "flux/schnell", new ImageRequest { Prompt = "x", Width = 1000, Height = 768 }));
    }
}
