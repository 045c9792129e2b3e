using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Configuration;

public sealed class ConfigLoaderTests
{
    private static readonly IProviderFactory[] Factories = [new TestFactory("sandbox"), new TestFactory("placeholder"), new TestFactory("openai")];

    private static SwitchyardConfig Load(Dictionary<string, string?> values, Dictionary<string, string>? environment = null)
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ConfigLoader(Factories, name => environment?.GetValueOrDefault(name)).Load(root);
    }

    private static Dictionary<string, string?> Minimal() => new()
    {
        ["providers:a:type"] = "sandbox",
        ["providers:p:type"] = "placeholder",
        ["routes:image:modality"] = "image",
        ["routes:image:chain:0:provider"] = "a",
        ["routes:image:chain:0:model"] = "sandbox-image",
        ["routes:image:chain:1:provider"] = "p",
    };

    [Theory]
    [InlineData("postgres://switchyard:pw@db.internal:5432/switchyard")]
    [InlineData("postgresql://switchyard@127.0.0.1/switchyard?sslmode=disable")]
    public void Load_PostgresUrl_IsAccepted(string url)
    {
        var values = Minimal();
        values["storage:database"] = url;

        var config = Load(values);

        Assert.Equal(url, config.Storage.PostgresUrl);
        Assert.Null(config.Storage.SqlitePath);
    }

    [Theory]
    [InlineData("reject", UnknownFieldsPolicy.Reject)]
    [InlineData("Ignore", UnknownFieldsPolicy.Ignore)]
    [InlineData(null, UnknownFieldsPolicy.Ignore)]
    public void Load_UnknownFields_ReadsPolicy(string? text, UnknownFieldsPolicy expected)
    {
        var values = Minimal();
        values["server:unknown_fields"] = text;
        values["server:max_json_request_bytes"] = "2048";

        var config = Load(values);

        Assert.Equal(expected, config.Server.UnknownFields);
        Assert.Equal(2048, config.Server.MaxJsonRequestBytes);
    }

    [Theory]
    [InlineData("sometimes")]
    [InlineData("1")]
    public void Load_UnknownFieldsInvalid_NamesTheSetting(string text)
    {
        var values = Minimal();
        values["server:unknown_fields"] = text;

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("server.unknown_fields", problem.Path);
        Assert.Contains("ignore, reject", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PostgresPasswordVariable_IsReadFromTheEnvironment()
    {
        var values = Minimal();
        values["storage:database"] = "postgres://switchyard:${PG_PASSWORD}@db/switchyard";

        var config = Load(values, new Dictionary<string, string> { ["PG_PASSWORD"] = "s3cret" });

        Assert.Equal("postgres://switchyard:s3cret@db/switchyard", config.Storage.PostgresUrl);
    }

    [Fact]
    public void Load_PostgresPasswordVariableMissing_NamesTheVariable()
    {
        var values = Minimal();
        values["storage:database"] = "postgres://switchyard:${PG_PASSWORD}@db/switchyard";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("storage.database", problem.Path);
        Assert.Contains("PG_PASSWORD", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MalformedPostgresUrl_ReportsItWithoutThePassword()
    {
        var values = Minimal();
        values["storage:database"] = "postgres://user:hunter2@";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("storage.database", problem.Path);
        Assert.DoesNotContain("hunter2", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 30 * 24)]
    [InlineData("7d", 7 * 24)]
    [InlineData("36h", 36)]
    [InlineData("0", null)]
    [InlineData("0s", null)]
    [InlineData("", null)]
    public void Load_Retention_ParsesDurationsAndZeroKeepsForever(string? raw, int? expectedHours)
    {
        var values = Minimal();
        if (raw is not null)
        {
            values["storage:retention"] = raw;
        }

        var config = Load(values);

        Assert.Equal(expectedHours is { } h ? TimeSpan.FromHours(h) : null, config.Storage.Retention);
    }

    [Theory]
    [InlineData("10m")]
    [InlineData("forever")]
    [InlineData("-1d")]
    public void Load_RetentionTooShortOrNotADuration_IsAProblem(string raw)
    {
        var values = Minimal();
        values["storage:retention"] = raw;

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        Assert.Equal("storage.retention", Assert.Single(ex.Problems).Path);
    }

    [Fact]
    public void Load_Minimal_FillsContractDefaults()
    {
        var config = Load(Minimal());

        var provider = config.Providers["a"];
        Assert.Equal(TimeSpan.FromSeconds(60), provider.Timeout);
        Assert.Equal(3, provider.Retry.MaxAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(250), provider.Retry.BaseDelay);
        Assert.Equal(TimeSpan.FromSeconds(1), provider.Retry.MaxDelay);
        Assert.Equal(0.5, provider.CircuitBreaker.FailureRatio);
        Assert.Equal("sqlite:data/switchyard.db", config.Storage.Database);
        Assert.Equal("data/switchyard.db", config.Storage.SqlitePath);
        Assert.Equal([new RouteStep("a", "sandbox-image"), new RouteStep("p", null)], config.Routes["image"].Chain);
        Assert.Equal(Modality.Image, config.Routes["image"].Modality);
    }

    [Fact]
    public void Load_ManyProblems_ReportsEveryOneWithItsPath()
    {
        var values = Minimal();
        values["providers:a:timeout"] = "soon";
        values["providers:a:retry:max_attempts"] = "0";
        values["providers:b:type"] = "nonesuch";
        values["routes:image:chain:2:provider"] = "missing";
        values["routes:image:on_content_rejected"] = "retry";
        values["routes:text:modality"] = "smell";
        values["routes:text:chain:0:provider"] = "a";
        values["storeage:database"] = "x";
        values["providers:a:circuit_breaker:failure_ratio"] = "2";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        var paths = ex.Problems.Select(p => p.Path).ToHashSet();
        Assert.Contains("providers.a.timeout", paths);
        Assert.Contains("providers.a.retry.max_attempts", paths);
        Assert.Contains("providers.b.type", paths);
        Assert.Contains("routes.image.chain[2].provider", paths);
        Assert.Contains("routes.image.on_content_rejected", paths);
        Assert.Contains("routes.text.modality", paths);
        Assert.Contains("storeage", paths);
        Assert.Contains("providers.a.circuit_breaker.failure_ratio", paths);
        Assert.Contains("providers.a.timeout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownKeyInProviderSection_ReportedByTheTypesValidator()
    {
        var values = Minimal();
        values["providers:a:retry:max_atempts"] = "2";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        Assert.Contains(ex.Problems, p => p.Path == "providers.a.retry.max_atempts");
    }

    [Fact]
    public void Load_SecretPresent_KeptInSecretAndNeverPrinted()
    {
        var values = Minimal();
        values["providers:o:type"] = "openai";
        values["providers:o:api_key"] = "${OPENAI_API_KEY}";

        var config = Load(values, new Dictionary<string, string> { ["OPENAI_API_KEY"] = "sk-test-very-secret" });

        var key = config.Providers["o"].ApiKey!;
        Assert.True(key.IsPresent);
        Assert.Equal("sk-test-very-secret", key.Reveal());
        Assert.DoesNotContain("sk-test-very-secret", key.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sk-test-very-secret", config.Providers["o"].ToString(), StringComparison.Ordinal);
        Assert.Empty(config.Providers["o"].MissingSecrets);
    }

    [Fact]
    public void Load_SecretMissing_StartsAndNamesTheVariable()
    {
        var values = Minimal();
        values["providers:o:type"] = "openai";
        values["providers:o:api_key"] = "${OPENAI_API_KEY}";

        var config = Load(values);

        Assert.Equal(["OPENAI_API_KEY"], config.Providers["o"].MissingSecrets);
        Assert.False(config.Providers["o"].ApiKey!.IsPresent);
    }

    [Fact]
    public void Load_LiteralApiKey_RejectedSoItIsNeverStored()
    {
        var values = Minimal();
        values["providers:o:type"] = "openai";
        values["providers:o:api_key"] = "sk-literal";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("providers.o.api_key", problem.Path);
        Assert.DoesNotContain("sk-literal", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PresetNamedLikeRoute_Rejected()
    {
        var values = Minimal();
        values["presets:image:route"] = "image";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        Assert.Contains(ex.Problems, p => p.Path == "presets.image");
    }

    [Theory]
    [InlineData("250ms", 250)]
    [InlineData("60s", 60_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1.5s", 1500)]
    [InlineData("00:00:02", 2000)]
    public void DurationTryParse_Forms_Parsed(string text, double ms)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(ms, value.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fast")]
    [InlineData("-1s")]
    [InlineData("5 parsecs")]
    public void DurationTryParse_Garbage_Rejected(string text) => Assert.False(Duration.TryParse(text, out _));

    private sealed class TestFactory(string type) : IProviderFactory
    {
        public string Type => type;

        public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) =>
            config.Settings.Keys.Select(k => new ConfigProblem($"{path}.{k.Replace(':', '.')}", "unknown key"));

        public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => throw new InvalidOperationException("not used");
    }
}
