using Microsoft.Extensions.Configuration;
using Switchyard.Hosting;

namespace Switchyard.Tests.Hosting;

public sealed class GatewayHostTests
{
    [Fact]
    public async Task Build_NoFileConfigurationIsWatched()
    {
        // A watched appsettings.json watches the whole working directory, where ./data (the SQLite ledger, artifacts)
        // usually lives: every ledger write then woke a file watcher in the gateway.
        var folder = Directory.CreateTempSubdirectory("switchyard-host-").FullName;
        try
        {
            var configPath = Path.Combine(folder, "switchyard.yaml");
            await File.WriteAllTextAsync(configPath, $$"""
                storage:
                  database: sqlite:{{Path.Combine(folder, "ledger.db")}}
                  artifacts: file:{{Path.Combine(folder, "artifacts")}}
                providers:
                  sandbox: { type: sandbox }
                routes:
                  image: { modality: image, chain: [ { provider: sandbox } ] }
                """, TestContext.Current.CancellationToken);
            await File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), "{}", TestContext.Current.CancellationToken);

            await using var app = GatewayHost.Build(new ServeOptions(configPath, "http://127.0.0.1:0", Strict: false), ["--contentRoot", folder]);

            var files = ((IConfigurationBuilder)app.Configuration).Sources.OfType<FileConfigurationSource>().ToList();
            Assert.Contains(files, s => s.Path == "appsettings.json");
            Assert.All(files, s => Assert.False(s.ReloadOnChange, $"{s.Path} is watched for changes"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
