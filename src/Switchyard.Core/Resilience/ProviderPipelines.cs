using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Telemetry;

namespace Switchyard.Resilience;

/// <summary>
/// One Polly pipeline per provider, built from its config. Outermost first: concurrency and rate
/// limiter (one chained limiter), total timeout, retry (exponential backoff with jitter, Retry-After honoured up to
/// a cap), circuit breaker, attempt timeout. Error classes decide: only <c>rate_limited</c>,
/// <c>unavailable</c> and <c>timeout</c> are retried; only <c>unavailable</c> and <c>timeout</c>
/// count against the circuit.
/// </summary>
public sealed partial class ProviderPipelines : IDisposable
{
    private readonly Dictionary<string, ResiliencePipeline<ITryOutcome>> _pipelines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CircuitBreakerManualControl> _controls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RemoteOpening> _remote = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _limiters = [];
    private readonly ConcurrentQueue<CircuitTransition> _transitions = new();
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderPipelines> _logger;
    private readonly SwitchyardTelemetry? _telemetry;
    private readonly ICircuitBroadcast? _broadcast;
    private readonly ISharedRateLimits? _sharedLimits;

    /// <summary>Builds a pipeline for every provider of <paramref name="config"/>.</summary>
    /// <param name="config">The providers.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Logs circuit changes.</param>
    /// <param name="telemetry">Records circuit state.</param>
    /// <param name="broadcast">Shares circuit openings with other nodes; call <see cref="JoinAsync"/> to receive theirs.</param>
    /// <param name="sharedLimits">Counts the providers' <c>rpm</c> limits across nodes; without it each process counts its own.</param>
    public ProviderPipelines(SwitchyardConfig config, TimeProvider time, ILogger<ProviderPipelines> logger, SwitchyardTelemetry? telemetry = null, ICircuitBroadcast? broadcast = null, ISharedRateLimits? sharedLimits = null)
    {
        _sharedLimits = sharedLimits;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        _broadcast = broadcast;
        foreach (var provider in config.Providers.Values)
        {
            _pipelines[provider.Name] = Build(provider);
        }

        // 0 closed, 1 half-open, 2 open, 3 isolated: one series per provider.
        telemetry?.Meter.CreateObservableGauge(
            "switchyard.circuit.state",
            () => _circuits.Select(c => new System.Diagnostics.Metrics.Measurement<int>(StateNumber(c.Value.CircuitState), new KeyValuePair<string, object?>("provider", c.Key))),
            description: "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open, 3 isolated.");
    }

    private static int StateNumber(Polly.CircuitBreaker.CircuitState state) => state switch
    {
        Polly.CircuitBreaker.CircuitState.HalfOpen => 1,
        Polly.CircuitBreaker.CircuitState.Open => 2,
        Polly.CircuitBreaker.CircuitState.Isolated => 3,
        _ => 0,
    };

    /// <summary>Every circuit transition since start, oldest first.</summary>
    public IReadOnlyCollection<CircuitTransition> Transitions => _transitions;

    /// <summary>The provider's pipeline.</summary>
    public ResiliencePipeline<ITryOutcome> For(string provider) => _pipelines[provider];

    /// <summary>The provider's circuit state: closed, open (here or, shared, on another node), half_open or isolated.</summary>
    public string CircuitState(string provider) => _circuits[provider].CircuitState switch
    {
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "half_open",
        Polly.CircuitBreaker.CircuitState.Isolated => _remote.ContainsKey(provider) ? "open" : "isolated",
        _ => "closed",
    };

    /// <summary>
    /// Receives the circuit openings of other nodes through the broadcast (a no-op without one): each
    /// keeps the provider's circuit here open until the opening node's break ends.
    /// </summary>
    public async ValueTask<IAsyncDisposable?> JoinAsync(CancellationToken cancellationToken)
    {
        if (_broadcast is null)
        {
            return null;
        }

        return await _broadcast.SubscribeAsync(OpenedElsewhereAsync, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether a failure is worth another try on the same provider.</summary>
    public static bool IsRetryable(ProviderFailure failure, RetryConfig retry) =>
        failure.IsTransient && !(failure.RetryAfter > retry.MaxRetryAfter);

    /// <summary>Whether a failure says the provider itself is in trouble (counts against its circuit).</summary>
    public static bool CountsAgainstCircuit(ProviderFailure failure) =>
        failure.Class is ErrorClass.Unavailable or ErrorClass.Timeout;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }

        foreach (var opening in _remote.Values)
        {
            opening.Timer.Dispose();
        }
    }

    private async ValueTask OpenedElsewhereAsync(CircuitOpening opening)
    {
        if (!_controls.TryGetValue(opening.Provider, out var control))
        {
            return; // a provider this node's config does not have
        }

        var left = opening.Until - _time.GetUtcNow();
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        var timer = _time.CreateTimer(_ => _ = CloseRemoteAsync(opening.Provider, opening.Until), null, left, Timeout.InfiniteTimeSpan);
        var current = new RemoteOpening(opening.Until, timer);
        var replaced = false;
        _remote.AddOrUpdate(
            opening.Provider,
            current,
            (_, previous) =>
            {
                if (previous.Until >= opening.Until)
                {
                    return previous;
                }

                previous.Timer.Dispose();
                replaced = true;
                return current;
            });
        if (!ReferenceEquals(_remote.GetValueOrDefault(opening.Provider), current))
        {
            timer.Dispose(); // an opening that lasts longer already holds the circuit
            return;
        }

        if (!replaced)
        {
            Log.CircuitOpenedElsewhere(_logger, opening.Provider, opening.Node, opening.Until);
            await Transition(opening.Provider, "open").ConfigureAwait(false);
            await control.IsolateAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task CloseRemoteAsync(string provider, DateTimeOffset until)
    {
        if (_remote.TryGetValue(provider, out var opening) && opening.Until == until
            && _remote.TryRemove(new KeyValuePair<string, RemoteOpening>(provider, opening)))
        {
            opening.Timer.Dispose();
            await Transition(provider, "closed").ConfigureAwait(false);
            await _controls[provider].CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    // Typed by the outcome every try returns: with a non-generic pipeline Polly bridges each typed strategy (retry,
    // circuit breaker), an extra async state machine per strategy and call.
    private ResiliencePipeline<ITryOutcome> Build(ProviderConfig provider)
    {
        var builder = new ResiliencePipelineBuilder<ITryOutcome> { Name = provider.Name, TimeProvider = _time };
        var rate = provider.RateLimit;
        var limiters = new List<RateLimiter>(2);
        if (rate.Concurrency > 0)
        {
            limiters.Add(new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = rate.Concurrency,
                QueueLimit = rate.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            }));
        }

        if (rate.Rpm > 0)
        {
            limiters.Add(_sharedLimits is { } shared
                ? shared.PerMinute("provider:" + provider.Name, rate.Rpm, rate.Queue)
                : new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
                {
                    PermitLimit = rate.Rpm,
                    Window = TimeSpan.FromMinutes(1),
                    SegmentsPerWindow = 12,
                    QueueLimit = rate.Queue,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                    AutoReplenishment = true,
                }));
        }

        if (limiters.Count > 0)
        {
            // Both limits as one strategy (concurrency first, a slot given back when the rate refuses): each strategy
            // of the pipeline costs every call its own async state machine.
            _limiters.AddRange(limiters);
            builder.AddRateLimiter(limiters.Count == 1 ? limiters[0] : RateLimiter.CreateChained([.. limiters]));
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = provider.TotalTimeout });

        if (provider.Retry.MaxAttempts > 1)
        {
            var retry = provider.Retry;
            builder.AddRetry(new RetryStrategyOptions<ITryOutcome>
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is { Failure: { } failure } && IsRetryable(failure, retry)),
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Outcome.Result is { Failure.RetryAfter: { } after } ? after : (TimeSpan?)null),
            });
        }

        var circuit = new CircuitBreakerStateProvider();
        var control = new CircuitBreakerManualControl();
        _circuits[provider.Name] = circuit;
        _controls[provider.Name] = control;
        var breaker = provider.CircuitBreaker;
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<ITryOutcome>
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.Sampling,
            BreakDuration = breaker.Break,
            StateProvider = circuit,
            ManualControl = control,
            ShouldHandle = static args => ValueTask.FromResult(
                args.Outcome.Result is { Failure: { } failure } && CountsAgainstCircuit(failure)),
            // Manual changes are another node's opening and its end: OpenedElsewhereAsync and
            // CloseRemoteAsync record them as they make them (Polly reports manual changes later, on
            // its own thread), and they are not published again.
            OnOpened = args => args.IsManual ? ValueTask.CompletedTask : OpenedHereAsync(provider.Name, args.BreakDuration),
            OnHalfOpened = args => Transition(provider.Name, "half_open"),
            OnClosed = args => args.IsManual ? ValueTask.CompletedTask : Transition(provider.Name, "closed"),
        });

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = provider.Timeout });
        return builder.Build();
    }

    private async ValueTask OpenedHereAsync(string provider, TimeSpan breakDuration)
    {
        await Transition(provider, "open").ConfigureAwait(false);
        if (_broadcast is null)
        {
            return;
        }

        try
        {
            await _broadcast.PublishOpenedAsync(provider, _time.GetUtcNow() + breakDuration, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the shared store being down must not fail the request that opened the circuit
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.CircuitBroadcastFailed(_logger, provider, ex.Message);
        }
    }

    private ValueTask Transition(string provider, string state)
    {
        _transitions.Enqueue(new CircuitTransition(provider, state, _time.GetUtcNow()));
        _telemetry?.CircuitChanged(provider, state);
        Log.CircuitChanged(_logger, provider, state);
        return ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 200, EventName = "CircuitChanged", Level = LogLevel.Warning, Message = "Circuit of provider {Provider} is now {State}")]
        public static partial void CircuitChanged(ILogger logger, string provider, string state);

        [LoggerMessage(EventId = 201, EventName = "CircuitOpenedElsewhere", Level = LogLevel.Warning, Message = "Circuit of provider {Provider} is open: node {Node} opened it until {Until}")]
        public static partial void CircuitOpenedElsewhere(ILogger logger, string provider, string node, DateTimeOffset until);

        [LoggerMessage(EventId = 202, EventName = "CircuitBroadcastFailed", Level = LogLevel.Warning, Message = "Could not tell the other nodes that the circuit of provider {Provider} opened: {Reason}")]
        public static partial void CircuitBroadcastFailed(ILogger logger, string provider, string reason);
    }

    private sealed record RemoteOpening(DateTimeOffset Until, ITimer Timer);
}
