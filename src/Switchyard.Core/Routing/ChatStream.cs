using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Routing;

/// <summary>
/// A streamed chat run. Either it failed before any text (see <see cref="Failed"/>), or a
/// provider produced its first text and <see cref="Events"/> relays the stream from there,
/// recording the run's end in the ledger when the stream ends, fails or is abandoned.
/// </summary>
public sealed class ChatStream
{
    internal ChatStream(RunResult<ChatOutput> failed)
    {
        Failed = failed;
        Run = failed.Run;
        Attempts = failed.Attempts;
        Events = Empty();
    }

    internal ChatStream(RunRecord run, IReadOnlyList<AttemptRecord> attempts, IAsyncEnumerable<ChatStreamEvent> events)
    {
        Run = run;
        Attempts = attempts;
        Events = events;
    }

    /// <summary>Set when no provider produced text: the run is over and this is its result.</summary>
    public RunResult<ChatOutput>? Failed { get; }

    /// <summary>The run as known when the first text arrived (provider, model, tier, outcome so far).</summary>
    public RunRecord Run { get; }

    /// <summary>The attempts so far.</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; }

    /// <summary>The stream, first text included. A failure event ends it.</summary>
    public IAsyncEnumerable<ChatStreamEvent> Events { get; }

    private static async IAsyncEnumerable<ChatStreamEvent> Empty()
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield break;
    }
}
