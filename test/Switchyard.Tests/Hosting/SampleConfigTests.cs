using Switchyard.Hosting;
using Switchyard.Providers;

namespace Switchyard.Tests.Hosting;

/// <summary>The configs shipped in samples/ are valid, so what the docs show works.</summary>
public sealed class SampleConfigTests
{
    public static TheoryData<string> Samples()
    {
        var folder = Path.Combine(RepoRoot(), "samples");
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Sample_Loads(string name)
    {
        var path = Path.Combine(RepoRoot(), "samples", name);

        // Webhook secrets must have the Standard Webhooks form (whsec_ + base64); other variables take any value.
        var config = ConfigSource.Load(path, ProviderCatalog.Factories, variable => variable.EndsWith("_ALERT_SECRET", StringComparison.Ordinal) ? "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" : $"test-value-of-{variable}");

        Assert.NotEmpty(config.Routes);
        Assert.All(config.Providers.Values, p => Assert.Empty(p.MissingSecrets));
        Assert.Empty(config.Alerts.MissingSecrets);
    }

    [Fact]
    public void EmbeddedDefault_IsTheSampleFile()
    {
        using var embedded = new StreamReader(ConfigSource.OpenEmbeddedDefault());

        Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot(), "samples", "switchyard.default.yaml")), embedded.ReadToEnd());
    }

    private static string RepoRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new DirectoryNotFoundException("Switchyard.slnx not found above the test folder");
    }
}
