using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Configuration;

/// <summary><c>storage.artifacts: s3://bucket/prefix</c> with the <c>storage.s3</c> settings.</summary>
public sealed class ConfigLoaderS3Tests
{
    private static readonly IProviderFactory[] Factories = [new PlaceholderFactory()];

    private static readonly Dictionary<string, string> Keys = new() { ["S3_ACCESS"] = "AKIAEXAMPLE", ["S3_SECRET"] = "example-secret-key" };

    private static SwitchyardConfig Load(Dictionary<string, string?> storage, Dictionary<string, string>? environment = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["providers:p:type"] = "placeholder",
            ["routes:image:modality"] = "image",
            ["routes:image:chain:0:provider"] = "p",
        };
        foreach (var (key, value) in storage)
        {
            values["storage:" + key] = value;
        }

        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ConfigLoader(Factories, name => (environment ?? Keys).GetValueOrDefault(name)).Load(root);
    }

    private static IReadOnlyList<ConfigProblem> Problems(Dictionary<string, string?> storage, Dictionary<string, string>? environment = null) =>
        Assert.Throws<ConfigException>(() => Load(storage, environment)).Problems;

    [Fact]
    public void Load_S3WithEndpointAndKeys_ParsedWithPathStyleByDefault()
    {
        var config = Load(new()
        {
            ["artifacts"] = "s3://media-bucket/switchyard/artifacts/",
            ["s3:endpoint"] = "http://127.0.0.1:9000",
            ["s3:region"] = "eu-central-1",
            ["s3:access_key"] = "${S3_ACCESS}",
            ["s3:secret_key"] = "${S3_SECRET}",
        });

        var s3 = Assert.IsType<S3StorageConfig>(config.Storage.S3);
        Assert.Equal("media-bucket", s3.Bucket);
        Assert.Equal("switchyard/artifacts", s3.Prefix);
        Assert.Equal(new Uri("http://127.0.0.1:9000"), s3.Endpoint);
        Assert.Equal("eu-central-1", s3.Region);
        Assert.Equal("AKIAEXAMPLE", s3.AccessKey!.Reveal());
        Assert.Equal("example-secret-key", s3.SecretKey!.Reveal());
        Assert.True(s3.PathStyle);
        Assert.Null(config.Storage.ArtifactFolder);
    }

    [Fact]
    public void Load_S3OnAwsWithoutKeys_DefaultCredentialsVirtualHostStyle()
    {
        var config = Load(new() { ["artifacts"] = "s3://media-bucket" });

        var s3 = Assert.IsType<S3StorageConfig>(config.Storage.S3);
        Assert.Equal("", s3.Prefix);
        Assert.Null(s3.Endpoint);
        Assert.Equal("us-east-1", s3.Region);
        Assert.Null(s3.AccessKey);
        Assert.False(s3.PathStyle);
        Assert.Equal("s3://media-bucket", s3.Display);
    }

    [Theory]
    [InlineData("s3://Bad_Bucket/x", "storage.artifacts")]
    [InlineData("s3://ab", "storage.artifacts")]
    [InlineData("s3://bucket/a/../b", "storage.artifacts")]
    [InlineData("ftp://bucket", "storage.artifacts")]
    [InlineData("file:", "storage.artifacts")]
    public void Load_BadArtifactsUrl_ProblemAtStorageArtifacts(string artifacts, string path)
    {
        Assert.Contains(Problems(new() { ["artifacts"] = artifacts }), p => p.Path == path);
    }

    [Fact]
    public void Load_LiteralSecretKey_RejectedWithoutEchoingIt()
    {
        var problems = Problems(new() { ["artifacts"] = "s3://bucket-1", ["s3:access_key"] = "${S3_ACCESS}", ["s3:secret_key"] = "literal-secret-in-file" });

        var problem = Assert.Single(problems);
        Assert.Equal("storage.s3.secret_key", problem.Path);
        Assert.DoesNotContain("literal-secret-in-file", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingVariable_NamesIt()
    {
        var problems = Problems(
            new() { ["artifacts"] = "s3://bucket-1", ["s3:access_key"] = "${S3_ACCESS}", ["s3:secret_key"] = "${S3_SECRET}" },
            new Dictionary<string, string> { ["S3_ACCESS"] = "AKIAEXAMPLE" });

        var problem = Assert.Single(problems);
        Assert.Equal("storage.s3.secret_key", problem.Path);
        Assert.Contains("S3_SECRET", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_OnlyOneKey_Rejected()
    {
        Assert.Contains(Problems(new() { ["artifacts"] = "s3://bucket-1", ["s3:access_key"] = "${S3_ACCESS}" }), p => p.Path == "storage.s3.secret_key");
    }

    [Theory]
    [InlineData("s3:endpoint", "not a url", "storage.s3.endpoint")]
    [InlineData("s3:endpoint", "http://user:pw@127.0.0.1:9000", "storage.s3.endpoint")]
    [InlineData("s3:path_style", "sometimes", "storage.s3.path_style")]
    [InlineData("s3:bucket", "x", "storage.s3.bucket")]
    public void Load_BadS3Setting_ProblemAtItsPath(string key, string value, string path)
    {
        var problems = Problems(new() { ["artifacts"] = "s3://bucket-1", [key] = value });

        Assert.Contains(problems, p => p.Path == path);
        Assert.DoesNotContain(problems, p => p.Message.Contains("pw@", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_S3SettingsWithFileStore_Rejected()
    {
        Assert.Contains(Problems(new() { ["artifacts"] = "file:data/artifacts", ["s3:region"] = "eu-west-1" }), p => p.Path == "storage.s3");
    }

    private sealed class PlaceholderFactory : IProviderFactory
    {
        public string Type => "placeholder";

        public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => [];

        public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => throw new InvalidOperationException("not used");
    }
}
