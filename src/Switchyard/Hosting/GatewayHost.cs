using Switchyard.Configuration;
using Switchyard.Http;
using Switchyard.Providers;

namespace Switchyard.Hosting;

/// <summary>Builds the gateway's web application from the serve options and the validated config.</summary>
internal static class GatewayHost
{
    public const string ConfigPathSetting = "SWITCHYARD_CONFIG";

    private const string ReloadConfigOnChangeSetting = "hostBuilder:reloadConfigOnChange";

    /// <summary>Builds the app; throws <see cref="ConfigException"/> when the config is invalid.</summary>
    public static WebApplication Build(ServeOptions options, string[] hostArgs)
    {
        // No reload-on-change for appsettings*.json: it watches the content root (the working directory) recursively, so
        // every write of the SQLite ledger and of artifacts under ./data woke a file watcher (inotify) in this process.
        // Switchyard's own config is not reloaded either; a restart applies a change.
        // The slim builder leaves out what a gateway does not use (IIS integration, HTTP/3, host filtering, the debug and
        // event-source loggers), which keeps those assemblies out of its memory; HTTPS endpoints stay configurable.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [$"--{ReloadConfigOnChangeSetting}=false", .. hostArgs] });
        builder.WebHost.UseKestrelHttpsConfiguration();
        var configPath = options.ConfigPath ?? NullIfEmpty(builder.Configuration[ConfigPathSetting]);
        var hostConfiguration = builder.Configuration;
        var config = ConfigSource.Load(configPath, ProviderCatalog.Factories, name => hostConfiguration[name]);

        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);

        // Every log line inside a request carries its W3C trace and span ids (the run's span among them).
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        var urls = options.Urls ?? NullIfEmpty(builder.Configuration["urls"]) ?? config.Server.Urls;
        builder.WebHost.UseUrls(urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The gateway enforces its own limit with an OpenAI-shaped 413; Kestrel's is a backstop.
            k.Limits.MaxRequestBodySize = config.Server.MaxRequestBytes + 1024;
            k.AddServerHeader = false;
        });

        builder.Services.AddSwitchyard(config, configPath);
        var app = builder.Build();
        app.MapSwitchyardEndpoints();
        return app;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}

/// <summary>What <c>switchyard serve</c> was given.</summary>
/// <param name="ConfigPath">The config file, or null for the embedded default.</param>
/// <param name="Urls">Overrides <c>server.urls</c>.</param>
/// <param name="Strict">Makes a provider's missing secret fatal.</param>
internal sealed record ServeOptions(string? ConfigPath, string? Urls, bool Strict);
