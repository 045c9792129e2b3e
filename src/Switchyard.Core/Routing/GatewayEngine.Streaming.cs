using System.Runtime.CompilerServices;
using System.Text;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Providers;
using Switchyard.Resilience;
using Switchyard.Telemetry;

namespace Switchyard.Routing;

public sealed partial class GatewayEngine
{
    /// <summary>
    /// Starts a streamed chat run. Tiers (and retries, through each provider's pipeline) are tried
    /// until one produces its first text: before that a failure falls back as usual; after it, the
    /// stream is committed to that provider and an upstream failure ends the stream with an error
    /// event and a failed run.
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

            var call = new StreamTierCall(this, run, chat, tier, step, provider, cancellationToken);
            var outcome = await RunTierAsync<StreamHead, StreamTierCall>(call, static (state, token) => state.TryOnceAsync(token), cancellationToken).ConfigureAwait(false);
            if (outcome is null)
            {
                continue;
            }

            if (outcome.Output is { } head)
            {
                var promptTokens = EstimateTokens(chat.Messages.Sum(m => m.Content.Length));
                return new ChatStream(run.Preview(tier, step, provider), run.Attempts, RelayAsync(run, head, tier, step, provider, PriceOf(provider, step), promptTokens, cancellationToken));
            }

            var decision = Decide(request.Route.Route, outcome.Failure!);
            if (decision == Decision.Stop)
            {
                return new ChatStream(await run.FailAsync<ChatOutput>(outcome.Failure).ConfigureAwait(false));
            }

            toPlaceholder |= decision == Decision.Placeholder;
        }

        return new ChatStream(await run.FailAsync<ChatOutput>(null).ConfigureAwait(false));
    }

    private static async IAsyncEnumerable<ChatStreamEvent> RelayAsync(
        RunState run,
        StreamHead head,
        int tier,
        RouteStep step,
        IGenerationProvider provider,
        ModelPrice? price,
        int promptTokens,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var upstream = head.Upstream;
        var first = head.First;
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
            await head.DisposeAsync().ConfigureAwait(false);
            if (failure is null && !finished)
            {
                // The consumer stopped reading: the client went away.
                failure = new ProviderFailure { Class = ErrorClass.Cancelled, Message = "the client went away mid-stream", Step = "receive" };
            }

            var cost = CostEstimator.Tokens(price, promptTokens, EstimateTokens(text.Length));
            await run.EndAttemptAsync(head.Attempt, failure, CancellationToken.None, cost, System.Text.Encoding.UTF8.GetByteCount(text.ToString()), head.Activity).ConfigureAwait(false);
            head.Activity?.Dispose();
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

    // Streams carry no token counts; four characters a token is the usual estimate.
    private static int EstimateTokens(int chars) => Math.Max(1, (chars + 3) / 4);

    /// <summary>A stream that produced its first text: the rest is read outside the pipeline, on the stream's own token.</summary>
    private sealed class StreamHead(IAsyncEnumerator<ChatStreamEvent> upstream, ChatStreamEvent first, AttemptRecord attempt, CancellationTokenSource lifetime, System.Diagnostics.Activity? activity) : IAsyncDisposable
    {
        public IAsyncEnumerator<ChatStreamEvent> Upstream => upstream;

        public ChatStreamEvent First => first;

        public AttemptRecord Attempt => attempt;

        public System.Diagnostics.Activity? Activity => activity;

        public async ValueTask DisposeAsync()
        {
            await upstream.DisposeAsync().ConfigureAwait(false);
            lifetime.Dispose();
        }
    }

    /// <summary>One tier of a streamed run: a try lasts until the first text (or failure) arrives.</summary>
    private sealed class StreamTierCall(GatewayEngine engine, RunState run, ChatRequest chat, int tier, RouteStep step, IGenerationProvider provider, CancellationToken clientToken) : ITierCall
    {
        public RunState Run => run;

        public int Tier => tier;

        public RouteStep Step => step;

        public IGenerationProvider Provider => provider;

        public async ValueTask<ITryOutcome> TryOnceAsync(CancellationToken token)
        {
            var attempt = await run.BeginAttemptAsync(tier, step, provider, CancellationToken.None).ConfigureAwait(false);

            // The span lasts as long as the attempt: to the stream's end when it is committed.
            var activity = SwitchyardTelemetry.StartAttempt(attempt);
            var started = engine._time.GetTimestamp();

            // The stream outlives this try, so it runs on its own token (the client's), not the
            // pipeline's; the pipeline's token only bounds the wait for the first text.
            var lifetime = CancellationTokenSource.CreateLinkedTokenSource(clientToken);
            var upstream = provider.StreamChatAsync(step.Model, chat, lifetime.Token).GetAsyncEnumerator(lifetime.Token);
            ProviderFailure? failure;
            try
            {
                failure = await upstream.MoveNextAsync().AsTask().WaitAsync(token).ConfigureAwait(false)
                    ? upstream.Current switch
                    {
                        { Failure: { } f } => f with { Step = f.Step ?? "receive" },
                        { Delta.Length: > 0 } => null,
                        _ => EmptyStream(),
                    }
                    : EmptyStream();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                failure = Failure(ex, provider.Name, engine._time.GetElapsedTime(started), engine._logger, clientToken);
                if (failure.Class == ErrorClass.Timeout)
                {
                    failure = failure with { Message = failure.Message + " waiting for the first token" };
                }
            }

            if (failure is null)
            {
                return new TryOutcome<StreamHead>(new StreamHead(upstream, upstream.Current, attempt, lifetime, activity), null);
            }

            await lifetime.CancelAsync().ConfigureAwait(false);
            try
            {
                await upstream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or NotSupportedException)
            {
                // The enumerator may still be inside MoveNextAsync after a timeout; it ends on the cancelled token.
            }

            lifetime.Dispose();
            await run.EndAttemptAsync(attempt, failure, CancellationToken.None, activity: activity).ConfigureAwait(false);
            activity?.Dispose();
            engine.NoteFailure(provider, failure);
            return new TryOutcome<StreamHead>(null, failure);
        }

        private static ProviderFailure EmptyStream() =>
            new() { Class = ErrorClass.Unavailable, Message = "the stream ended before any text", Code = "empty_output", Step = "validate" };
    }
}
