using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Keys;

/// <summary>
/// Counts quota runs from the ledger: every run that reached the engine (it has an attempt, made or skipped),
/// except runs refused by a key limit (all their attempts skipped as <c>local_rate_limit</c> or <c>budget_exceeded</c>)
/// and requests rejected before routing (no attempt at all).
/// </summary>
public sealed class LedgerKeyRunCounter : IKeyRunCounter
{
    private readonly ILedger _ledger;

    /// <summary>Counts from <paramref name="ledger"/>.</summary>
    public LedgerKeyRunCounter(ILedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _ledger = ledger;
    }

    /// <inheritdoc />
    public async ValueTask<int> CountRunsAsync(string keyId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var facts = await _ledger.GetRunFactsAsync(new StatsQuery { Since = since, KeyId = keyId }, cancellationToken).ConfigureAwait(false);
        return facts.Count(Counts);
    }

    /// <summary>Whether a run used the key's quota.</summary>
    public static bool Counts(RunFacts run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return run.Attempts.Count > 0
            && !run.Attempts.All(a => a.Status == AttemptStatus.Skipped && a.SkipReason is SkipReason.LocalRateLimit or SkipReason.BudgetExceeded);
    }
}
