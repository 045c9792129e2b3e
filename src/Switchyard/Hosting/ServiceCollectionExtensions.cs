using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.Alerts;
using Switchyard.Artifacts;
using Switchyard.Caching;
using Switchyard.Resilience;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Http;
using Switchyard.Keys;
using Switchyard.Outbound;
using Switchyard.Providers;
using Switchyard.Questions;
using Switchyard.Routing;

namespace Switchyard.Hosting;

/// <summary>Registers the gateway's services.</summary>
internal static class ServiceCollectionExtensions
{
    public static IServiceCollection AddSwitchyard(this IServiceCollection services, SwitchyardConfig config, string? configPath)
    {
        services.AddSingleton(config);
        services.AddSingleton(new ConfigOrigin(configPath));
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<GatewayOutput>();

        services.AddSwitchyardStorage(config);
        services.AddSwitchyardTelemetry(config);
        services.AddSingleton(sp => ProviderRegistry.Build(config, ProviderCatalog.Factories, sp));
        services.AddSingleton<IMediaInspector>(ProviderCatalog.MediaInspector);
        services.AddSingleton<OutputValidator>();
        services.AddSingleton<RouteTable>();
        services.AddSingleton<ProviderPipelines>();
        services.AddSingleton<ProviderHealth>();
        services.AddSingleton<ResultCache>();
        services.AddSingleton<PromptGuard>();
        services.AddSingleton(sp => new RunOutcomeWindow(config.Alerts, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<RunOutcomeWindow>());
        services.AddSingleton<ICircuitStates, PipelineCircuitStates>();
        services.AddSingleton(sp => new AlertEvaluator(config.Alerts, sp.GetRequiredService<RunOutcomeWindow>(), sp.GetRequiredService<ICircuitStates>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AlertMonitor(
            sp.GetRequiredService<AlertEvaluator>(),
            config.Alerts.Webhook is { } webhook ? new AlertWebhookSender(webhook, sp.GetRequiredService<OutboundClient>(), sp.GetRequiredService<TimeProvider>()) : null,
            sp.GetRequiredService<ILogger<AlertMonitor>>()));
        if (config.Alerts.Rules.Count > 0)
        {
            services.AddHostedService<AlertWorker>();
        }

        services.AddSingleton<IKeyRunCounter>(sp => new LedgerKeyRunCounter(sp.GetRequiredService<Switchyard.Ledger.ILedger>()));
        services.TryAddSingleton<IKeyLimiter>(sp => new InProcessKeyLimiter(sp.GetRequiredService<IKeyRunCounter>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<GatewayEngine>();
        services.AddSingleton<ArtifactLinks>();
        services.AddSingleton<GatewayServices>();
        services.AddSingleton<ApiKeyFilter>();
        services.AddSingleton(_ => new OutboundClient(config.Outbound, TimeSpan.FromSeconds(20)));
        services.AddSingleton(sp => new ImageInputReader(sp.GetRequiredService<OutboundClient>(), sp.GetRequiredService<IMediaInspector>(), Math.Min(config.Server.MaxRequestBytes, 20L << 20)));
        services.AddSingleton<LedgerQuestions>();
        services.AddHostedService<GatewayInitializer>();

        // After the initializer: the first sweep needs the migrated schema.
        services.AddHostedService<LedgerRetentionService>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJsonContext.Default));
        return services;
    }
}

/// <summary>Where the config came from: a file path, or null for the embedded default.</summary>
internal sealed record ConfigOrigin(string? Path);
