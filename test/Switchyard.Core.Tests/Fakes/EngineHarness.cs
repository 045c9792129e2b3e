using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Caching;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers;
using Switchyard.Resilience;
using Switchyard.Telemetry;
using Switchyard.Routing;
using Switchyard.Tests.Common.Time;

namespace Switchyard.Core.Tests.Fakes;

/// <summary>An engine over scripted providers, an in-memory ledger and a fake clock.</summary>
internal sealed class EngineHarness
{
    public EngineHarness(ContentRejectedAction onRejected = ContentRejectedAction.Next, TimeSpan? timeout = null, params ScriptedProvider[] providers)
        : this(onRejected, c => c with { Timeout = timeout ?? TimeSpan.FromSeconds(5) }, providers)
    {
    }

    /// <summary>An engine whose provider configs start with one try each (no retries) and are then shaped by <paramref name="configure"/>.</summary>
    public EngineHarness(ContentRejectedAction onRejected, Func<ProviderConfig, ProviderConfig> configure, params ScriptedProvider[] providers)
        : this(onRejected, configure, r => r, providers)
    {
    }

    /// <summary>An engine whose route is shaped by <paramref name="configureRoute"/> (cache, hedging, prompt rules).</summary>
    public EngineHarness(ContentRejectedAction onRejected, Func<ProviderConfig, ProviderConfig> configure, Func<RouteConfig, RouteConfig> configureRoute, params ScriptedProvider[] providers)
        : this(null, onRejected, configure, configureRoute, providers)
    {
    }

    /// <summary>An engine whose circuits are shared with other harnesses through <paramref name="broadcast"/>.</summary>
    public EngineHarness(ICircuitBroadcast? broadcast, ContentRejectedAction onRejected, Func<ProviderConfig, ProviderConfig> configure, Func<RouteConfig, RouteConfig> configureRoute, params ScriptedProvider[] providers)
    {
        Providers = providers;
        var providerConfigs = providers.ToDictionary(p => p.Name, p => configure(new ProviderConfig
        {
            Name = p.Name,
            Type = p.Type,
            Timeout = TimeSpan.FromSeconds(5),
            TotalTimeout = TimeSpan.FromSeconds(60),
            Retry = new RetryConfig { MaxAttempts = 1 },
        }));
        Route = new RouteConfig
        {
            Name = "r",
            Modality = Modality.Image,
            Chain = [.. providers.Select(p => new RouteStep(p.Name, "m"))],
            OnContentRejected = onRejected,
        };
        Route = configureRoute(Route);
        Config = new SwitchyardConfig
        {
            Storage = new StorageConfig { Database = "sqlite:x", Artifacts = "file:x" },
            Server = new ServerConfig(),
            Providers = providerConfigs,
            Routes = new Dictionary<string, RouteConfig> { ["r"] = Route },
            Presets = new Dictionary<string, PresetConfig>(),
            Outbound = new OutboundConfig(),
        };
        Pipelines = new ProviderPipelines(Config, Time, NullLogger<ProviderPipelines>.Instance, Telemetry, broadcast);
        Health = new ProviderHealth(Config, Time);
        Cache = new ResultCache(Time);
        Engine = new GatewayEngine(Config, new ProviderRegistry(providers.Cast<IGenerationProvider>()), Pipelines, Health, Cache, Telemetry, Ledger, Time, NullLogger<GatewayEngine>.Instance);
        Validator = new OutputValidator(Inspector);
    }

    public IReadOnlyList<ScriptedProvider> Providers { get; }

    public RouteConfig Route { get; }

    public SwitchyardConfig Config { get; }

    public WatchedTimeProvider Time { get; } = new();

    public InMemoryLedger Ledger { get; } = new();

    public FixedInspector Inspector { get; } = new();

    public OutputValidator Validator { get; }

    public GatewayEngine Engine { get; }

    public ProviderPipelines Pipelines { get; }

    public SwitchyardTelemetry Telemetry { get; } = new();

    public ProviderHealth Health { get; }

    public ResultCache Cache { get; }

    public RunRequest Request(string runId = "run_1") => new()
    {
        RunId = runId,
        KeyId = "key_test",
        Route = new ResolvedRoute("r", Route, null),
        RequestedModel = "r",
        Endpoint = "images.generations",
        Prompt = "a lighthouse, contact me at someone@example.com",
    };

    public Task<RunResult<ImageOutput>> RunImageAsync(CancellationToken cancellationToken = default) => RunImageAsync("run_1", cancellationToken);

    public Task<RunResult<ImageOutput>> RunImageAsync(string runId, CancellationToken cancellationToken = default) =>
        RunImageAsync(runId, new ImageRequest { Prompt = "a lighthouse" }, cancellationToken);

    public Task<RunResult<ImageOutput>> RunImageAsync(string runId, ImageRequest request, CancellationToken cancellationToken = default) =>
        Engine.ExecuteAsync(Request(runId), new ImageOp(request, Validator), cancellationToken);

    internal sealed class ImageOp(ImageRequest request, OutputValidator validator) : IGenerationOperation<ImageOutput>
    {
        public object Request => request;

        public bool Cacheable => request.Seed is not null;

        public ValueTask<ProviderResult<ImageOutput>> CallAsync(IGenerationProvider provider, string? model, CancellationToken cancellationToken) =>
            provider.GenerateImageAsync(model, request, cancellationToken);

        public ProviderFailure? Validate(ImageOutput output) => validator.Check(request, output);

        public ValueTask<ProviderFailure?> FinishAsync(ImageOutput output, string runId, CancellationToken cancellationToken) => ValueTask.FromResult<ProviderFailure?>(null);

        public string? Summarize(ImageOutput output) => $$"""{"images":{{output.Images.Count}}}""";
    }
}
