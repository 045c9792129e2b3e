using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Switchyard.Tests.Fixtures;

/// <summary>
/// The gateway in-process (WebApplicationFactory) on its own temporary data folder, with sandbox
/// providers that answer at once and a fixed admin key.
/// </summary>
public sealed class GatewayFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "sy_TestAdmin001_abcdefghijklmnopqrstuvwxyz012345";

    public const string DefaultYaml = """
        providers:
          sandbox-a:
            type: sandbox
            latency: 0ms
            retry: { max_attempts: 1 }
            circuit_breaker: { minimum_throughput: 100000 }
          sandbox-b:
            type: sandbox
            latency: 0ms
            retry: { max_attempts: 1 }
            circuit_breaker: { minimum_throughput: 100000 }
          placeholder:
            type: placeholder
        routes:
          image:
            modality: image
            chain:
              - { provider: sandbox-a, model: sandbox-image }
              - { provider: sandbox-b, model: sandbox-image }
              - { provider: placeholder }
          guarded-image:
            modality: image
            prompt: { max_length: 60, deny: ["forbidden-word"] }
            cache: { ttl: 5m }
            chain:
              - { provider: sandbox-a, model: sandbox-image }
              - { provider: placeholder }
          strict-image:
            modality: image
            on_content_rejected: fail
            chain:
              - { provider: sandbox-a, model: sandbox-image }
              - { provider: placeholder }
          text:
            modality: text
            chain:
              - { provider: sandbox-a, model: sandbox-text }
              - { provider: sandbox-b, model: sandbox-text }
              - { provider: placeholder }
          speech:
            modality: speech
            chain:
              - { provider: sandbox-a, model: sandbox-speech }
              - { provider: placeholder }
        outbound:
          allow_private: ["127.0.0.1/32"]
        presets:
          enhance:
            route: image
            prompt: "Enhance sharpness, remove haze, boost clarity."
            negative_prompt: "blurry, hazy"
            strength: 0.7
          watercolor:
            route: image
            prompt: "{prompt}, in soft watercolor"
            negative_prompt: "photo, harsh light"
        """;

    public GatewayFactory()
        : this(DefaultYaml)
    {
    }

    /// <param name="yaml">The config without its storage section.</param>
    /// <param name="extraStorage">More keys of the storage section, indented by two spaces.</param>
    /// <param name="database">storage.database; a SQLite file in the test's folder when null.</param>
    /// <param name="artifacts">storage.artifacts; a folder in the test's folder when null.</param>
    internal GatewayFactory(string yaml, string? extraStorage = null, string? database = null, string? artifacts = null)
    {
        Folder = Directory.CreateTempSubdirectory("switchyard-test-").FullName;
        ConfigPath = Path.Combine(Folder, "switchyard.yaml");
        var storage = $"""
            storage:
              database: {database ?? "sqlite:" + Path.Combine(Folder, "switchyard.db")}
              artifacts: {artifacts ?? "file:" + Path.Combine(Folder, "artifacts")}
            {extraStorage}
            """;
        File.WriteAllText(ConfigPath, storage + "\n" + yaml);
    }

    public string Folder { get; }

    public string ConfigPath { get; }

    /// <summary>More host settings (environment variables, e.g. the secrets <c>${NAME}</c> refers to), set before the first client.</summary>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>Receives every log line of every level, when set before the first client.</summary>
    public ILoggerProvider? Logs { get; init; }

    /// <summary>Set before the first client is created to run the gateway on a fake clock.</summary>
    public FakeTimeProvider? Time { get; init; }

    /// <summary>More service registrations (e.g. a startup filter), applied after the gateway's, before the first client.</summary>
    public Action<IServiceCollection>? MoreServices { get; init; }

    public HttpClient CreateClientWithKey(string key = AdminKey)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("SWITCHYARD_CONFIG", ConfigPath);
        builder.UseSetting("SWITCHYARD_ADMIN_KEY", AdminKey);
        builder.UseEnvironment("Testing");
        foreach (var (name, value) in Settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(name, value);
        }

        if (Logs is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace)
                .Services.Configure<LoggerFilterOptions>(o => o.Rules.Add(new LoggerFilterRule(Logs.GetType().FullName, null, LogLevel.Trace, null))));
        }

        if (Time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        }

        if (MoreServices is not null)
        {
            builder.ConfigureServices(MoreServices);
        }
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may still hold the file for a moment on a slow machine; the OS cleans temp.
            }
        }
    }
}
