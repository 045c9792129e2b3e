using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.RateLimiting;
using Polly.Timeout;
using Switchyard.Caching;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Providers;
using Switchyard.Resilience;
using Switchyard.Telemetry;

namespace Switchyard.Routing;

/// <summary>
/// Runs a request along its route: each tier in turn through that provider's resilience pipeline
/// (limits, retries, circuit breaker, timeouts), skipping what cannot serve it, falling back on
/// failures another provider might not have, and writing every run and attempt to the ledger
/// (the <c>started</c> record before each upstream call).
/// </summary>
public sealed partial class GatewayEngine
{
    private readonly SwitchyardConfig _config;
    private readonly ProviderRegistry _providers;
    private readonly ProviderPipelines _pipelines;
    private readonly ProviderHealth _health;
    private readonly ResultCache _cache;
    private readonly SwitchyardTelemetry _telemetry;
    private readonly ILedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayEngine> _logger;
    private readonly IRunObserver[] _observers;

    /// <summary>Creates the engine; <paramref name="observers"/> are told of every finished run (e.g. the alert rules' window).</summary>
    public GatewayEngine(SwitchyardConfig config, ProviderRegistry providers, ProviderPipelines pipelines, ProviderHealth health, ResultCache cache, SwitchyardTelemetry telemetry, ILedger ledger, TimeProvider time, ILogger<GatewayEngine> logger, IEnumerable<IRunObserver>? observers = null)
    {
        _observers = observers?.ToArray() ?? [];
        _telemetry = telemetry;
        _config = config;
        _providers = providers;
        _pipelines = pipelines;
        _health = health;
        _cache = cache;
        _ledger = ledger;
        _time = time;
        _logger = logger;
    }

    /// <summary>Runs <paramref name="operation"/> along the request's route.</summary>
    public async Task<RunResult<T>> ExecuteAsync<T>(RunRequest request, IGenerationOperation<T> operation, CancellationToken cancellationToken)
        where T : class
    {
        var run = new RunState(this, request);
        await run.StartAsync(CancellationToken.None).ConfigureAwait(false);

        var cacheKey = request.Route.Route.CacheTtl is not null && operation.Cacheable
            ? ResultCache.KeyFor(request.Route.Name + "|" + request.Route.Preset?.Name, request.KeyId, operation.Request)
            : null;
        if (cacheKey is not null && await _cache.GetAsync(cacheKey, cancellationToken).ConfigureAwait(false) is { Output: T cached } hit
            && await operation.FinishAsync(cached, request.RunId, cancellationToken).ConfigureAwait(false) is null)
        {
            return await run.ServeFromCacheAsync(hit, cached, operation.Summarize(cached)).ConfigureAwait(false);
        }

        if (request.Route.Route.HedgeDelay is { } hedgeDelay)
        {
            return await ExecuteHedgedAsync(run, request, operation, cacheKey, hedgeDelay, cancellationToken).ConfigureAwait(false);
        }

        var chain = request.Route.Route.Chain;
        var toPlaceholder = false;
        for (var tier = 0; tier < chain.Count; tier++)
        {
            var step = chain[tier];
            var provider = _providers.Get(step.Provider);
            if ((toPlaceholder && !IsPlaceholder(provider))
                || !await run.CanAttemptAsync(tier, step, provider, operation.Request, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var tierState = new TierCall<T>(this, run, operation, tier, step, provider, cancellationToken);
            var outcome = await RunTierAsync<T, TierCall<T>>(tierState, static (state, token) => state.TryOnceAsync(token), cancellationToken).ConfigureAwait(false);
            if (outcome is null)
            {
                continue;
            }

            if (outcome.Failure is null)
            {
                if (cacheKey is not null)
                {
                    await _cache.SetAsync(cacheKey, new CachedResult(outcome.Output!, provider.Name, provider.Type, step.Model, _time.GetUtcNow()), request.Route.Route.CacheTtl!.Value, CancellationToken.None).ConfigureAwait(false);
                }

                return await run.SucceedAsync(tier, step, provider, outcome.Output, operation.Summarize(outcome.Output!)).ConfigureAwait(false);
            }

            switch (Decide(request.Route.Route, outcome.Failure))
            {
                case Decision.Stop:
                    return await run.FailAsync<T>(outcome.Failure).ConfigureAwait(false);
                case Decision.Placeholder:
                    toPlaceholder = true;
                    break;
            }
        }

        return await run.FailAsync<T>(null).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the tries on one tier through the provider's pipeline. Returns the last try's outcome,
    /// or null when the tier was skipped (circuit open, local limit), which is recorded here.
    /// </summary>
    private async Task<TryOutcome<T>?> RunTierAsync<T, TState>(TState state, Func<TState, CancellationToken, ValueTask<ITryOutcome>> tryOnce, CancellationToken cancellationToken)
        where T : class
        where TState : ITierCall
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            // Every try of this tier returns a TryOutcome<T> (typed as the pipeline's ITryOutcome).
            return (TryOutcome<T>)await _pipelines.For(state.Provider.Name).ExecuteAsync(
                static (ctx, s) => s.TryOnce(s.State, ctx.CancellationToken),
                context,
                (State: state, TryOnce: tryOnce)).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            var retryAfter = ex.RetryAfter is { } after ? $"; it is tried again in {Duration.Format(after)}" : "";
            await state.Run.SkipAsync(state.Tier, state.Step, state.Provider, SkipReason.CircuitOpen, $"circuit open after repeated failures{retryAfter}").ConfigureAwait(false);
            return null;
        }
        catch (RateLimiterRejectedException ex)
        {
            var retryAfter = ex.RetryAfter is { } after ? $" (a slot frees in about {Duration.Format(after)})" : "";
            await state.Run.SkipAsync(state.Tier, state.Step, state.Provider, SkipReason.LocalRateLimit, $"the provider's local rate or concurrency limit is reached{retryAfter}").ConfigureAwait(false);
            return null;
        }
        catch (TimeoutRejectedException)
        {
            // The total timeout ran out between tries (during a backoff wait); the tries are recorded.
            return new TryOutcome<T>(null, new ProviderFailure { Class = ErrorClass.Timeout, Message = $"gave up on this provider after its total timeout of {Duration.Format(_config.Providers[state.Provider.Name].TotalTimeout)}", Step = "send" });
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return new TryOutcome<T>(null, new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client cancelled the request", Step = "send" });
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static Decision Decide(RouteConfig route, ProviderFailure failure) => failure.Class switch
    {
        ErrorClass.InvalidRequest or ErrorClass.Cancelled => Decision.Stop,
        ErrorClass.ContentRejected => route.OnContentRejected switch
        {
            ContentRejectedAction.Fail => Decision.Stop,
            ContentRejectedAction.Placeholder => Decision.Placeholder,
            _ => Decision.Next,
        },
        _ => Decision.Next,
    };

    /// <summary>A provider that rejects its credentials is flagged, so the next requests skip it instead of failing the same way.</summary>
    private void NoteFailure(IGenerationProvider provider, ProviderFailure? failure)
    {
        if (failure?.Class == ErrorClass.Auth)
        {
            _health.FlagAuthFailure(provider.Name, failure.HttpStatus is { } status ? $"HTTP {status}: {failure.Message}" : failure.Message);
        }
    }

    private ModelPrice? PriceOf(IGenerationProvider provider, RouteStep step) =>
        _config.Providers.TryGetValue(provider.Name, out var config) && config.Prices.TryGetValue(step.Model ?? provider.Type, out var price) ? price : null;

    private static long? BytesOf(object output) => output switch
    {
        ImageOutput images => images.Images.Sum(i => (long)i.Data.Length),
        SpeechOutput speech => speech.Audio.Length,
        ChatOutput chat => System.Text.Encoding.UTF8.GetByteCount(chat.Content),
        _ => null,
    };

    internal static bool IsPlaceholder(IGenerationProvider provider) => string.Equals(provider.Type, "placeholder", StringComparison.Ordinal);

    private static ProviderFailure Failure(Exception ex, string provider, TimeSpan elapsed, ILogger logger, CancellationToken clientToken, CancellationToken stopToken = default)
    {
        if (ex is OperationCanceledException)
        {
            return clientToken.IsCancellationRequested
                ? new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client cancelled the request", Step = "send" }
                : stopToken.IsCancellationRequested
                    ? new ProviderFailure { Class = ErrorClass.Cancelled, Message = "stopped: another tier answered first (hedging)", Step = "receive" }
                    : new ProviderFailure { Class = ErrorClass.Timeout, Message = $"timeout after {Duration.Format(elapsed)}", Step = "receive" };
        }

        // Adapters return expected failures as values; an exception is a defect or a transport
        // fault, and the next tier may still serve the request.
        Log.ProviderThrew(logger, provider, ex);
        return new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{ex.GetType().Name}: {ex.Message}", Code = "provider_exception", Step = "send" };
    }

    private enum Decision
    {
        Next,
        Stop,
        Placeholder,
    }

    /// <summary>What every kind of tier call shares, for recording skips.</summary>
    private interface ITierCall
    {
        RunState Run { get; }

        int Tier { get; }

        RouteStep Step { get; }

        IGenerationProvider Provider { get; }
    }

    /// <summary>One tier of a non-streamed run: each try records its attempt before and after the upstream call.</summary>
    private sealed class TierCall<T>(GatewayEngine engine, RunState run, IGenerationOperation<T> operation, int tier, RouteStep step, IGenerationProvider provider, CancellationToken clientToken, CancellationToken stopToken = default) : ITierCall
        where T : class
    {
        public RunState Run => run;

        public int Tier => tier;

        public RouteStep Step => step;

        public IGenerationProvider Provider => provider;

        public async ValueTask<ITryOutcome> TryOnceAsync(CancellationToken token)
        {
            var attempt = await run.BeginAttemptAsync(tier, step, provider, CancellationToken.None).ConfigureAwait(false);

            // Started here, in the method that calls the provider, so the upstream HTTP span is its child.
            using var activity = SwitchyardTelemetry.StartAttempt(attempt);
            var started = engine._time.GetTimestamp();
            ProviderFailure? failure;
            T? output = null;
            try
            {
                var result = await operation.CallAsync(provider, step.Model, token).ConfigureAwait(false);
                if (result.Failure is { } f)
                {
                    failure = f with { Step = f.Step ?? "receive" };
                }
                else if (operation.Validate(result.Value!) is { } invalid)
                {
                    failure = invalid;
                }
                else if (await operation.FinishAsync(result.Value!, run.RunId, token).ConfigureAwait(false) is { } storeFailure)
                {
                    failure = storeFailure with { Step = storeFailure.Step ?? "store" };
                }
                else
                {
                    failure = null;
                    output = result.Value;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = Failure(ex, provider.Name, engine._time.GetElapsedTime(started), engine._logger, clientToken, stopToken);
            }

            var cost = output is null ? null : CostEstimator.Estimate(engine.PriceOf(provider, step), operation.Request, output);
            await run.EndAttemptAsync(attempt, failure, CancellationToken.None, cost, output is null ? null : BytesOf(output), activity).ConfigureAwait(false);
            engine.NoteFailure(provider, failure);
            return new TryOutcome<T>(output, failure);
        }
    }
}
