using Switchyard.Http;
using Switchyard.Ledger;

namespace Switchyard.Questions;

/// <summary>
/// The ledger's three questions (a page of runs, one run with its attempts, stats), answered in the API's
/// shapes. The HTTP endpoints and the CLI both ask through here, so they answer alike.
/// </summary>
internal sealed class LedgerQuestions
{
    private readonly ILedger _ledger;

    public LedgerQuestions(ILedger ledger)
    {
        _ledger = ledger;
    }

    /// <summary>A page of runs; one more than the limit is read to know whether another page follows.</summary>
    public async Task<RunListView> ListAsync(RunQuery query, CancellationToken cancellationToken)
    {
        var runs = await _ledger.ListRunsAsync(query with { Limit = query.Limit + 1 }, cancellationToken).ConfigureAwait(false);
        var hasMore = runs.Count > query.Limit;
        var page = runs.Take(query.Limit).Select(RunView.From).ToList();
        return new RunListView(page, hasMore, hasMore ? page[^1].Id : null);
    }

    /// <summary>One run with its attempts in order; null when there is none, or when <paramref name="keyId"/> is given and the run is another key's.</summary>
    public async Task<RunView?> ShowAsync(string runId, string? keyId, CancellationToken cancellationToken)
    {
        var run = await _ledger.GetRunAsync(runId, cancellationToken).ConfigureAwait(false);
        if (run is null || (keyId is not null && !string.Equals(run.KeyId, keyId, StringComparison.Ordinal)))
        {
            return null;
        }

        var attempts = await _ledger.GetAttemptsAsync(runId, cancellationToken).ConfigureAwait(false);
        return RunView.From(run) with { Attempts = [.. attempts.Select(AttemptView.From)] };
    }

    /// <summary>Stats over the window; its end must be set (to "now" for an open window), since the answer states it.</summary>
    public async Task<StatsView> StatsAsync(StatsQuery query, StatsGrouping by, CancellationToken cancellationToken)
    {
        var until = query.Until ?? throw new ArgumentException("The stats window needs an end.", nameof(query));
        var facts = await _ledger.GetRunFactsAsync(query, cancellationToken).ConfigureAwait(false);
        var report = LedgerStatistics.Compute(facts, by);
        return StatsView.From(query, report, until);
    }
}
