using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Switchyard.Alerts;
using Switchyard.Artifacts;
using Switchyard.Caching;
using Switchyard.Resilience;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Http;
using Switchyard.Jobs;
using Switchyard.Keys;
using Switchyard.Outbound;
using Switchyard.Providers;
using Switchyard.Questions;
using Switchyard.Redis;
using Switchyard.Routing;
using Switchyard.Ui;

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
        if (config.Storage.Redis.Length > 0)
        {
            AddRedisSharing(services, config.Storage.Redis);
        }

        services.AddSingleton<ProviderPipelines>();
        services.AddHostedService<CircuitSharingService>();
        services.AddSingleton<ProviderHealth>();
        services.AddSingleton<ResultCache>();
        services.AddSingleton<PromptGuard>();
        services.AddSingleton(sp => new RunOutcomeWindow(config.Alerts, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IRunObserver>(sp => sp.GetRequiredService<RunOutcomeWindow>());
        services.AddSingleton<ICircuitStates, PipelineCircuitStates>();
        services.AddSingleton<JobQueueReading>();
        services.AddSingleton(sp => new AlertEvaluator(config.Alerts, sp.GetRequiredService<RunOutcomeWindow>(), sp.GetRequiredService<ICircuitStates>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<JobQueueReading>()));
        services.AddSingleton(sp => new AlertMonitor(
            sp.GetRequiredService<AlertEvaluator>(),
            config.Alerts.Webhook is { } webhook ? new AlertWebhookSender(webhook, sp.GetRequiredService<Webhooks.IWebhookOutbox>()) : null,
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
        services.AddSwitchyardDashboard();
        services.AddHostedService<GatewayInitializer>();

        // After the initializer: the dispatcher claims deliveries from the migrated schema.
        services.AddSwitchyardWebhooks(config);

        // After the initializer: the first sweep needs the migrated schema.
        services.AddHostedService<LedgerRetentionService>();

        // Batch jobs. Registered after the ledger writer, so on stop the workers drain first and the ledger flushes after them;
        // the host waits long enough for the grace period.
        services.AddSingleton<JobSignal>();
        services.AddSingleton<WebhookSecretProtector>();
        services.AddSingleton<JobItemExecutor>();
        services.AddSingleton<JobWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        services.Configure<HostOptions>(o => o.ShutdownTimeout = config.Jobs.GracePeriod + TimeSpan.FromSeconds(30));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, WireJsonContext.Default));
        return services;
    }

    // Several nodes: rate limits, circuit openings and cached results are shared through Redis. A method of its own, so a
    // single node never loads the Redis client.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void AddRedisSharing(IServiceCollection services, string redis)
    {
        services.AddSingleton(_ => new RedisConnection(redis));
        services.AddSingleton<ICircuitBroadcast, RedisCircuitBroadcast>();
        services.AddSingleton<ISharedRateLimits>(sp => sp.GetRequiredService<RedisRateLimits>());
        services.AddSingleton<ISharedResultCache, RedisResultCache>();
        services.AddSingleton<RedisRateLimits>();
        services.AddSingleton<IKeyLimiter>(sp => new RedisKeyLimiter(
            new InProcessKeyLimiter(sp.GetRequiredService<IKeyRunCounter>(), sp.GetRequiredService<TimeProvider>()),
            sp.GetRequiredService<RedisConnection>(),
            sp.GetRequiredService<RedisRateLimits>(),
            sp.GetRequiredService<IKeyRunCounter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<RedisKeyLimiter>>()));
    }
}

/// <summary>Where the config came from: a file path, or null for the embedded default.</summary>
internal sealed record ConfigOrigin(string? Path);
