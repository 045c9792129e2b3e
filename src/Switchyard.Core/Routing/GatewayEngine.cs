using Microsoft.Extensions.Logging;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Providers;

namespace Switchyard.Routing;

/// <summary>
/// Runs a request along its route: each tier in turn, skipping what cannot serve it, falling back
/// on failures that another provider might not have, and writing every run and attempt to the
/// ledger (the <c>started</c> record before each upstream call).
/// </summary>
public sealed partial class GatewayEngine
{
    private readonly SwitchyardConfig _config;
    private readonly ProviderRegistry _providers;
    private readonly ILedger _ledger;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayEngine> _logger;

    /// <summary>Creates the engine.</summary>
    public GatewayEngine(SwitchyardConfig config, ProviderRegistry providers, ILedger ledger, TimeProvider time, ILogger<GatewayEngine> logger)
    {
        _config = config;
        _providers = providers;
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

        var chain = request.Route.Route.Chain;
        var toPlaceholder = false;
        for (var tier = 0; tier < chain.Count; tier++)
        {
            var step = chain[tier];
            var provider = _providers.Get(step.Provider);
            if (toPlaceholder && !IsPlaceholder(provider))
            {
                continue;
            }

            if (!await run.CanAttemptAsync(tier, step, provider, operation.Request, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var attempt = await run.BeginAttemptAsync(tier, step, provider, cancellationToken).ConfigureAwait(false);
            var (output, failure) = await CallAsync(operation, provider, step, request.RunId, cancellationToken).ConfigureAwait(false);
            if (failure is null)
            {
                await run.EndAttemptAsync(attempt, null, CancellationToken.None).ConfigureAwait(false);
                return await run.SucceedAsync(tier, step, provider, output, operation.Summarize(output!)).ConfigureAwait(false);
            }

            await run.EndAttemptAsync(attempt, failure, CancellationToken.None).ConfigureAwait(false);
            switch (Decide(request.Route.Route, failure))
            {
                case Decision.Stop:
                    return await run.FailAsync<T>(failure).ConfigureAwait(false);
                case Decision.Placeholder:
                    toPlaceholder = true;
                    break;
            }
        }

        return await run.FailAsync<T>(null).ConfigureAwait(false);
    }

    private async Task<(T? Output, ProviderFailure? Failure)> CallAsync<T>(IGenerationOperation<T> operation, IGenerationProvider provider, RouteStep step, string runId, CancellationToken cancellationToken)
        where T : class
    {
        var timeout = _config.Providers[provider.Name].Timeout;
        using var timeoutCts = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        try
        {
            var result = await operation.CallAsync(provider, step.Model, linked.Token).ConfigureAwait(false);
            if (result.Failure is { } failure)
            {
                return (null, failure with { Step = failure.Step ?? "receive" });
            }

            var output = result.Value!;
            if (operation.Validate(output) is { } invalid)
            {
                return (null, invalid);
            }

            if (await operation.FinishAsync(output, runId, linked.Token).ConfigureAwait(false) is { } storeFailure)
            {
                return (null, storeFailure with { Step = storeFailure.Step ?? "store" });
            }

            return (output, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return (null, new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client cancelled the request", Step = "send" });
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested)
        {
            return (null, new ProviderFailure { Class = ErrorClass.Timeout, Message = $"timeout after {Duration.Format(timeout)}", Step = "receive" });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Adapters return expected failures as values; an exception is a defect or a transport
            // fault, and the next tier may still serve the request.
            Log.ProviderThrew(_logger, provider.Name, ex);
            return (null, new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{ex.GetType().Name}: {ex.Message}", Code = "provider_exception", Step = "send" });
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

    internal static bool IsPlaceholder(IGenerationProvider provider) => string.Equals(provider.Type, "placeholder", StringComparison.Ordinal);

    private enum Decision
    {
        Next,
        Stop,
        Placeholder,
    }
}
