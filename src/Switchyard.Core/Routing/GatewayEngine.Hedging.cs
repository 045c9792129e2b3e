using Switchyard.Caching;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers;
using Switchyard.Resilience;

namespace Switchyard.Routing;

public sealed partial class GatewayEngine
{
    /// <summary>
    /// Hedged execution: the next tier starts when the current one has not answered within the
    /// route's hedge delay (or at once when it fails); the first usable answer wins and the others
    /// are stopped, their attempts recorded as cancelled. Costs more calls, cuts tail latency.
    /// </summary>
    private async Task<RunResult<T>> ExecuteHedgedAsync<T>(RunState run, RunRequest request, IGenerationOperation<T> operation, string? cacheKey, TimeSpan hedgeDelay, CancellationToken cancellationToken)
        where T : class
    {
        var route = request.Route.Route;
        var chain = route.Chain;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new List<Task<HedgeLeg<T>>>();
        var next = 0;
        Task? hedgeTimer = null;

        async Task LaunchNextAsync()
        {
            while (next < chain.Count)
            {
                var tier = next++;
                var step = chain[tier];
                var provider = _providers.Get(step.Provider);
                if (!await run.CanAttemptAsync(tier, step, provider, operation.Request, cancellationToken).ConfigureAwait(false))
                {
                    continue;
                }

                var call = new TierCall<T>(this, run, operation, tier, step, provider, cancellationToken, stop.Token);
                running.Add(RunLegAsync(call, tier, step, provider, stop.Token));
                hedgeTimer = next < chain.Count ? Task.Delay(hedgeDelay, _time, stop.Token) : null;
                return;
            }

            hedgeTimer = null;
        }

        async Task StopOthersAsync()
        {
            await stop.CancelAsync().ConfigureAwait(false);

            // The losers record their attempts as cancelled before the run's end is written.
            await Task.WhenAll(running).ConfigureAwait(false);
        }

        await LaunchNextAsync().ConfigureAwait(false);
        ProviderFailure? stoppedBy = null;
        while (running.Count > 0)
        {
            Task finished = hedgeTimer is null
                ? await Task.WhenAny(running).ConfigureAwait(false)
                : await Task.WhenAny([.. running, hedgeTimer]).ConfigureAwait(false);
            if (finished == hedgeTimer)
            {
                await LaunchNextAsync().ConfigureAwait(false);
                continue;
            }

            var leg = await ((Task<HedgeLeg<T>>)finished).ConfigureAwait(false);
            running.Remove((Task<HedgeLeg<T>>)finished);
            if (leg.Outcome is { Failure: null } won)
            {
                await StopOthersAsync().ConfigureAwait(false);
                if (cacheKey is not null)
                {
                    await _cache.SetAsync(cacheKey, new CachedResult(won.Output!, leg.Provider.Name, leg.Provider.Type, leg.Step.Model, _time.GetUtcNow()), route.CacheTtl!.Value, CancellationToken.None).ConfigureAwait(false);
                }

                return await run.SucceedAsync(leg.Tier, leg.Step, leg.Provider, won.Output, operation.Summarize(won.Output!)).ConfigureAwait(false);
            }

            if (leg.Outcome?.Failure is { } failure)
            {
                var decision = Decide(route, failure);
                if (decision == Decision.Stop)
                {
                    stoppedBy = failure;
                    await StopOthersAsync().ConfigureAwait(false);
                    break;
                }

                if (decision == Decision.Placeholder)
                {
                    var placeholder = Enumerable.Range(next, chain.Count - next).FirstOrDefault(i => IsPlaceholder(_providers.Get(chain[i].Provider)), -1);
                    next = placeholder < 0 ? chain.Count : placeholder;
                }
            }

            // A failed or skipped leg hands over at once instead of waiting for the hedge delay.
            await LaunchNextAsync().ConfigureAwait(false);
        }

        return await run.FailAsync<T>(stoppedBy).ConfigureAwait(false);
    }

    private async Task<HedgeLeg<T>> RunLegAsync<T>(TierCall<T> call, int tier, RouteStep step, IGenerationProvider provider, CancellationToken stopToken)
        where T : class
    {
        var outcome = await RunTierAsync<T, TierCall<T>>(call, static (state, token) => state.TryOnceAsync(token), stopToken).ConfigureAwait(false);
        return new HedgeLeg<T>(tier, step, provider, outcome);
    }

    private sealed record HedgeLeg<T>(int Tier, RouteStep Step, IGenerationProvider Provider, TryOutcome<T>? Outcome)
        where T : class;
}
