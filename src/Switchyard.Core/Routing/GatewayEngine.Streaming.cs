using System.Runtime.CompilerServices;
using System.Text;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Providers;

namespace Switchyard.Routing;

public sealed partial class GatewayEngine
{
    /// <summary>
    /// Starts a streamed chat run. Tiers are tried until one produces its first text: before that
    /// a failure falls back as usual; after it, the stream is committed to that provider and an
    /// upstream failure ends the stream with an error event and a failed run.
    /// </summary>
    public async Task<ChatStream> StartChatStreamAsync(RunRequest request, ChatRequest chat, CancellationToken cancellationToken)
    {
        var run = new RunState(this, request);
        await run.StartAsync(CancellationToken.None).ConfigureAwait(false);
        var chain = request.Route.Route.Chain;
        var toPlaceholder = false;
        for (var tier = 0; tier < chain.Count; tier++)
        {
            var step = chain[tier];
            var provider = _providers.Get(step.Provider);
            if ((toPlaceholder && !IsPlaceholder(provider))
                || !await run.CanAttemptAsync(tier, step, provider, chat, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            var attempt = await run.BeginAttemptAsync(tier, step, provider, cancellationToken).ConfigureAwait(false);
            var timeout = _config.Providers[provider.Name].Timeout;
            var timeoutCts = new CancellationTokenSource(timeout, _time);
            var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
            var enumerator = provider.StreamChatAsync(step.Model, chat, linked.Token).GetAsyncEnumerator(linked.Token);
            ProviderFailure? failure;
            try
            {
                failure = await enumerator.MoveNextAsync().ConfigureAwait(false)
                    ? enumerator.Current switch
                    {
                        { Failure: { } f } => f with { Step = f.Step ?? "receive" },
                        { Delta.Length: > 0 } => null,
                        _ => new ProviderFailure { Class = ErrorClass.Unavailable, Message = "the stream ended before any text", Code = "empty_output", Step = "validate" },
                    }
                    : new ProviderFailure { Class = ErrorClass.Unavailable, Message = "the stream ended before any text", Code = "empty_output", Step = "validate" };
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                failure = new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client cancelled the request", Step = "send" };
            }
            catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested)
            {
                failure = new ProviderFailure { Class = ErrorClass.Timeout, Message = $"timeout after {Duration.Format(timeout)} waiting for the first token", Step = "receive" };
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Log.ProviderThrew(_logger, provider.Name, ex);
                failure = new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{ex.GetType().Name}: {ex.Message}", Code = "provider_exception", Step = "send" };
            }

            if (failure is null)
            {
                // Committed: the first-token timeout no longer applies; the client's token still does.
                timeoutCts.CancelAfter(Timeout.InfiniteTimeSpan);
                var first = enumerator.Current;
                var preview = run.Preview(tier, step, provider);
                return new ChatStream(preview, run.Attempts, RelayAsync(run, attempt, tier, step, provider, enumerator, first, timeoutCts, linked, cancellationToken));
            }

            await enumerator.DisposeAsync().ConfigureAwait(false);
            linked.Dispose();
            timeoutCts.Dispose();
            await run.EndAttemptAsync(attempt, failure, CancellationToken.None).ConfigureAwait(false);
            var decision = Decide(request.Route.Route, failure);
            if (decision == Decision.Stop)
            {
                return new ChatStream(await run.FailAsync<ChatOutput>(failure).ConfigureAwait(false));
            }

            toPlaceholder |= decision == Decision.Placeholder;
        }

        return new ChatStream(await run.FailAsync<ChatOutput>(null).ConfigureAwait(false));
    }

    private static async IAsyncEnumerable<ChatStreamEvent> RelayAsync(
        RunState run,
        AttemptRecord attempt,
        int tier,
        RouteStep step,
        IGenerationProvider provider,
        IAsyncEnumerator<ChatStreamEvent> upstream,
        ChatStreamEvent first,
        CancellationTokenSource timeoutCts,
        CancellationTokenSource linked,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var text = new StringBuilder(first.Delta);
        ProviderFailure? failure = null;
        var finished = first.FinishReason is not null;
        try
        {
            yield return first;
            while (!finished && failure is null)
            {
                ChatStreamEvent next = default;
                var ended = false;
                try
                {
                    ended = !await upstream.MoveNextAsync().ConfigureAwait(false);
                    if (!ended)
                    {
                        next = upstream.Current;
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    failure = new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client went away mid-stream", Step = "receive" };
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    next = ChatStreamEvent.Fail(new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{ex.GetType().Name}: {ex.Message}", Code = "stream_broken" });
                }

                if (ended)
                {
                    // An upstream that just stops is treated as a natural end; the text so far is served.
                    finished = true;
                    yield return ChatStreamEvent.Finish("stop");
                    break;
                }

                if (next.Failure is { } f)
                {
                    failure = f with { Step = f.Step ?? "receive", Message = $"the stream failed after the first token: {f.Message}" };
                    yield return ChatStreamEvent.Fail(failure);
                    break;
                }

                text.Append(next.Delta);
                finished = next.FinishReason is not null;
                yield return next;
            }
        }
        finally
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
            linked.Dispose();
            timeoutCts.Dispose();
            if (failure is null && !finished)
            {
                // The consumer stopped reading: the client went away.
                failure = new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client went away mid-stream", Step = "receive" };
            }

            await run.EndAttemptAsync(attempt, failure, CancellationToken.None).ConfigureAwait(false);
            if (failure is null)
            {
                await run.SucceedAsync<ChatOutput>(tier, step, provider, null, $$"""{"chars":{{text.Length}},"stream":true}""").ConfigureAwait(false);
            }
            else
            {
                await run.FailAsync<ChatOutput>(failure).ConfigureAwait(false);
            }
        }
    }
}
