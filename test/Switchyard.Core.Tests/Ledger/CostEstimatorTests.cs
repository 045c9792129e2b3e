using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Ledger;

public sealed class CostEstimatorTests
{
    private static readonly ModelPrice ImagePrice = new()
    {
        PerImage = 0.04m,
        PerImageBySize = new Dictionary<string, decimal> { ["1024x1536"] = 0.06m },
        PerImageByQuality = new Dictionary<string, decimal> { ["hd"] = 0.08m },
    };

    private static ImageOutput Images(int count) =>
        new([.. Enumerable.Range(0, count).Select(_ => new GeneratedImage(new byte[] { 1 }, "image/png", 1024, 1024))]);

    [Theory]
    [InlineData(1024, 1024, null, 2, "0.08")]
    [InlineData(1024, 1536, null, 1, "0.06")]
    [InlineData(1024, 1536, "hd", 3, "0.24")]
    public void Estimate_Images_ByQualityThenSizeThenDefault(int width, int height, string? quality, int count, string expected)
    {
        var cost = CostEstimator.Estimate(ImagePrice, new ImageRequest { Prompt = "x", Width = width, Height = height, Quality = quality }, Images(count));

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cost);
    }

    [Fact]
    public void Estimate_Chat_PerThousandTokensInAndOut()
    {
        var price = new ModelPrice { Per1kInputTokens = 0.5m, Per1kOutputTokens = 1.5m };

        var cost = CostEstimator.Estimate(price, new ChatRequest { Messages = [] }, new ChatOutput("hi", "stop", 2000, 1000));

        Assert.Equal(2.5m, cost);
    }

    [Fact]
    public void Estimate_Speech_PerThousandCharacters()
    {
        var price = new ModelPrice { Per1kChars = 15m };

        var cost = CostEstimator.Estimate(price, new SpeechRequest { Input = new string('a', 200), Voice = "alloy" }, new SpeechOutput(new byte[] { 1 }, AudioFormat.Wav, TimeSpan.FromSeconds(1)));

        Assert.Equal(3m, cost);
    }

    [Fact]
    public void Estimate_NoPriceOrNoOutput_Null()
    {
        Assert.Null(CostEstimator.Estimate(null, new ImageRequest { Prompt = "x" }, Images(1)));
        Assert.Null(CostEstimator.Estimate(ImagePrice, new ImageRequest { Prompt = "x" }, null));
        Assert.Null(CostEstimator.Estimate(new ModelPrice(), new ChatRequest { Messages = [] }, new ChatOutput("hi", "stop", 1, 1)));
    }

    [Fact]
    public void ConfigLoader_Prices_ParsedAndBadValuesReportedWithPath()
    {
        var values = new Dictionary<string, string?>
        {
            ["providers:a:type"] = "sandbox",
            ["providers:a:prices:gpt-image-1:per_image"] = "0.04",
            ["providers:a:prices:gpt-image-1:per_image_by_size:1024x1536"] = "0.06",
            ["providers:a:prices:tts-1:per_1k_chars"] = "cheap",
            ["providers:a:prices:tts-1:per_minute"] = "1",
        };
        var loader = new ConfigLoader([new NoSettingsFactory()], _ => null);

        var ex = Assert.Throws<ConfigException>(() => loader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build()));

        Assert.Contains(ex.Problems, p => p.Path == "providers.a.prices.tts-1.per_1k_chars");
        Assert.Contains(ex.Problems, p => p.Path == "providers.a.prices.tts-1.per_minute");
        values.Remove("providers:a:prices:tts-1:per_1k_chars");
        values.Remove("providers:a:prices:tts-1:per_minute");
        var config = loader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
        Assert.Equal(0.04m, config.Providers["a"].Prices["gpt-image-1"].PerImage);
        Assert.Equal(0.06m, config.Providers["a"].Prices["gpt-image-1"].PerImageBySize["1024x1536"]);
    }

    [Fact]
    public async Task Engine_RunCost_SumsSuccessfulAttemptsOnly()
    {
        var a = new ScriptedProvider("a").Then(ProviderFailure.Of(ErrorClass.Unavailable, "down"));
        var b = new ScriptedProvider("b");
        var price = new Dictionary<string, ModelPrice> { ["m"] = new ModelPrice { PerImage = 0.04m } };
        var h = new EngineHarness(ContentRejectedAction.Next, c => c with { Prices = price }, a, b);

        var result = await h.RunImageAsync();

        var attempts = await h.Ledger.GetAttemptsAsync("run_1", TestContext.Current.CancellationToken);
        Assert.Null(attempts[0].CostUsd);
        Assert.Equal(0.04m, attempts[1].CostUsd);
        Assert.Equal(3, attempts[1].Bytes);
        Assert.Equal(0.04m, result.Run.CostUsd);
    }

    private sealed class NoSettingsFactory : IProviderFactory
    {
        public string Type => "sandbox";

        public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => [];

        public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => throw new InvalidOperationException();
    }
}
