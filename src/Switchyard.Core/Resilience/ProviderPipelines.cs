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
/// One Polly pipeline per provider, built from its config. Outermost first: concurrency limiter,
/// rate limiter, total timeout, retry (exponential backoff with jitter, Retry-After honoured up to
/// a cap), circuit breaker, attempt timeout. Error classes decide: only <c>rate_limited</c>,
/// <c>unavailable</c> and <c>timeout</c> are retried; only <c>unavailable</c> and <c>timeout</c>
/// count against the circuit.
/// </summary>
public sealed partial class ProviderPipelines : IDisposable
{
    private readonly Dictionary<string, ResiliencePipeline> _pipelines = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CircuitBreakerStateProvider> _circuits = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _limiters = [];
    private readonly ConcurrentQueue<CircuitTransition> _transitions = new();
    private readonly TimeProvider _time;
    private readonly ILogger<ProviderPipelines> _logger;
    private readonly SwitchyardTelemetry? _telemetry;

    /// <summary>Builds a pipeline for every provider of <paramref name="config"/>.</summary>
    public ProviderPipelines(SwitchyardConfig config, TimeProvider time, ILogger<ProviderPipelines> logger, SwitchyardTelemetry? telemetry = null)
    {
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
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
    public ResiliencePipeline For(string provider) => _pipelines[provider];

    /// <summary>The provider's circuit state: closed, open, half_open or isolated.</summary>
    public string CircuitState(string provider) => _circuits[provider].CircuitState switch
    {
        Polly.CircuitBreaker.CircuitState.Open => "open",
        Polly.CircuitBreaker.CircuitState.HalfOpen => "half_open",
        Polly.CircuitBreaker.CircuitState.Isolated => "isolated",
        _ => "closed",
    };

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
    }

    private ResiliencePipeline Build(ProviderConfig provider)
    {
        var builder = new ResiliencePipelineBuilder { Name = provider.Name, TimeProvider = _time };
        var rate = provider.RateLimit;
        if (rate.Concurrency > 0)
        {
            builder.AddConcurrencyLimiter(rate.Concurrency, rate.Queue);
        }

        if (rate.Rpm > 0)
        {
            var limiter = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
            {
                PermitLimit = rate.Rpm,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 12,
                QueueLimit = rate.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
            _limiters.Add(limiter);
            builder.AddRateLimiter(limiter);
        }

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "total", Timeout = provider.TotalTimeout });

        if (provider.Retry.MaxAttempts > 1)
        {
            var retry = provider.Retry;
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = retry.BaseDelay,
                MaxDelay = retry.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Result is ITryOutcome { Failure: { } failure } && IsRetryable(failure, retry)),
                DelayGenerator = static args => ValueTask.FromResult(
                    args.Outcome.Result is ITryOutcome { Failure.RetryAfter: { } after } ? after : (TimeSpan?)null),
            });
        }

        var circuit = new CircuitBreakerStateProvider();
        _circuits[provider.Name] = circuit;
        var breaker = provider.CircuitBreaker;
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = breaker.FailureRatio,
            MinimumThroughput = breaker.MinimumThroughput,
            SamplingDuration = breaker.Sampling,
            BreakDuration = breaker.Break,
            StateProvider = circuit,
            ShouldHandle = static args => ValueTask.FromResult(
                args.Outcome.Result is ITryOutcome { Failure: { } failure } && CountsAgainstCircuit(failure)),
            OnOpened = args => Transition(provider.Name, "open"),
            OnHalfOpened = args => Transition(provider.Name, "half_open"),
            OnClosed = args => Transition(provider.Name, "closed"),
        });

        builder.AddTimeout(new TimeoutStrategyOptions { Name = "attempt", Timeout = provider.Timeout });
        return builder.Build();
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
    }
}
