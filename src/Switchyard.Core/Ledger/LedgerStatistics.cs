using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>
/// Computes stats from the ledger's <see cref="RunFacts"/>: pure arithmetic, no I/O, so the API and the
/// CLI answer alike and the numbers can be checked by hand.
/// </summary>
/// <remarks>
/// <para>Route, preset and key groups are groups of runs: each run is in exactly one group.</para>
/// <para>
/// Provider and model groups are formed from attempts: a run is in the group of every provider (or
/// <c>provider/model</c>) it attempted or skipped, the same runs <c>runs --provider</c> lists, while the group's
/// <see cref="StatsGroup.Attempts"/>, error classes and skip reasons count only that provider's own attempts,
/// and its cost is that of the runs it served.
/// </para>
/// <para>Error groups hold the runs that met each error class (a run meeting two is in both); runs that met none are in the null group.</para>
/// </remarks>
public static class LedgerStatistics
{
    /// <summary>Computes the overall row and the groups.</summary>
    public static StatsReport Compute(IReadOnlyList<RunFacts> facts, StatsGrouping by)
    {
        ArgumentNullException.ThrowIfNull(facts);
        var overall = Summarize(null, facts.Select(static r => (r, (IEnumerable<AttemptFacts>)r.Attempts, r.CostUsd)));
        var groups = by switch
        {
            StatsGrouping.None => [],
            StatsGrouping.Route => ByRun(facts, static r => r.Route),
            StatsGrouping.Preset => ByRun(facts, static r => r.Preset),
            StatsGrouping.Key => ByRun(facts, static r => r.KeyId),
            StatsGrouping.Provider => ByAttempt(facts, static a => a.Provider, static r => r.ServedProvider),
            StatsGrouping.Model => ByAttempt(facts, static a => ModelName(a.Provider, a.Model), static r => r.ServedProvider is { } p ? ModelName(p, r.ServedModel) : null),
            StatsGrouping.Error => ByError(facts),
            _ => throw new ArgumentOutOfRangeException(nameof(by), by, null),
        };
        return new StatsReport { By = by, Overall = overall, Groups = Order(groups) };
    }

    /// <summary>The wire name of a grouping: <c>provider</c>, <c>model</c>, <c>route</c>, <c>preset</c>, <c>key</c>, <c>error</c> (or <c>none</c>).</summary>
    public static string ToWire(this StatsGrouping value) => value switch
    {
        StatsGrouping.None => "none",
        StatsGrouping.Provider => "provider",
        StatsGrouping.Model => "model",
        StatsGrouping.Route => "route",
        StatsGrouping.Preset => "preset",
        StatsGrouping.Key => "key",
        StatsGrouping.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>Parses a grouping's wire name.</summary>
    public static bool TryParseGrouping(string? text, out StatsGrouping value)
    {
        foreach (var candidate in Enum.GetValues<StatsGrouping>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>How a model is named in model groups: <c>provider/model</c>, or the provider alone when it has no model (the placeholder).</summary>
    public static string ModelName(string provider, string? model) => model is null ? provider : $"{provider}/{model}";

    private static List<StatsGroup> ByRun(IReadOnlyList<RunFacts> facts, Func<RunFacts, string?> key) =>
        [.. facts.GroupBy(r => new GroupKey(key(r)))
            .Select(g => Summarize(g.Key.Value, g.Select(static r => (r, (IEnumerable<AttemptFacts>)r.Attempts, r.CostUsd))))];

    private static List<StatsGroup> ByAttempt(IReadOnlyList<RunFacts> facts, Func<AttemptFacts, string> key, Func<RunFacts, string?> servedBy)
    {
        var members = new Dictionary<string, List<(RunFacts, IEnumerable<AttemptFacts>, decimal?)>>(StringComparer.Ordinal);
        foreach (var run in facts)
        {
            foreach (var group in run.Attempts.GroupBy(key, StringComparer.Ordinal))
            {
                if (!members.TryGetValue(group.Key, out var list))
                {
                    list = [];
                    members.Add(group.Key, list);
                }

                var cost = string.Equals(servedBy(run), group.Key, StringComparison.Ordinal) ? run.CostUsd : null;
                list.Add((run, group.ToList(), cost));
            }
        }

        return [.. members.Select(m => Summarize(m.Key, m.Value, countRunErrors: false))];
    }

    private static List<StatsGroup> ByError(IReadOnlyList<RunFacts> facts)
    {
        var members = new Dictionary<GroupKey, List<RunFacts>>();
        foreach (var run in facts)
        {
            var met = run.Attempts.Where(static a => a.Status == AttemptStatus.Failed && a.ErrorClass is not null).Select(static a => a.ErrorClass!.Value);
            if (run.ErrorClass is { } own)
            {
                met = met.Append(own);
            }

            var keys = met.Distinct().Select(static c => new GroupKey(c.ToWire())).DefaultIfEmpty(new GroupKey(null));
            foreach (var key in keys)
            {
                if (!members.TryGetValue(key, out var list))
                {
                    list = [];
                    members.Add(key, list);
                }

                list.Add(run);
            }
        }

        return [.. members.Select(m => Summarize(m.Key.Value, m.Value.Select(static r => (r, (IEnumerable<AttemptFacts>)r.Attempts, r.CostUsd))))];
    }

    private static StatsGroup Summarize(string? name, IEnumerable<(RunFacts Run, IEnumerable<AttemptFacts> Attempts, decimal? Cost)> members, bool countRunErrors = true)
    {
        int runs = 0, running = 0, success = 0, degraded = 0, failed = 0, fellBack = 0, cacheHits = 0;
        int attempts = 0, attemptSuccess = 0, attemptFailed = 0, attemptSkipped = 0, attemptStarted = 0;
        var runDurations = new List<double>();
        var attemptDurations = new List<double>();
        var errors = new SortedDictionary<ErrorClass, int>();
        var skips = new SortedDictionary<SkipReason, int>();
        decimal? cost = null;

        foreach (var (run, runAttempts, runCost) in members)
        {
            runs++;
            cacheHits += run.CacheHit ? 1 : 0;
            cost = runCost is { } c ? (cost ?? 0m) + c : cost;
            switch (run.Outcome)
            {
                case null:
                    running++;
                    break;
                case RunOutcome.Success:
                    success++;
                    break;
                case RunOutcome.Degraded:
                    degraded++;
                    break;
                case RunOutcome.Failed:
                    failed++;
                    break;
            }

            if (run.Outcome is RunOutcome.Success or RunOutcome.Degraded && run.ServedTier > 0)
            {
                fellBack++;
            }

            if (run.Outcome is not null && run.DurationMs is { } runDuration)
            {
                runDurations.Add(runDuration);
            }

            foreach (var attempt in runAttempts)
            {
                attempts++;
                switch (attempt.Status)
                {
                    case AttemptStatus.Success:
                        attemptSuccess++;
                        break;
                    case AttemptStatus.Failed:
                        attemptFailed++;
                        if (attempt.ErrorClass is { } errorClass)
                        {
                            Increment(errors, errorClass);
                        }

                        break;
                    case AttemptStatus.Skipped:
                        attemptSkipped++;
                        if (attempt.SkipReason is { } skipReason)
                        {
                            Increment(skips, skipReason);
                        }

                        break;
                    default:
                        attemptStarted++;
                        break;
                }

                if (attempt.Status is AttemptStatus.Success or AttemptStatus.Failed && attempt.DurationMs is { } attemptDuration)
                {
                    attemptDurations.Add(attemptDuration);
                }
            }

            // A run that failed without an attempt meeting its class (a rejected request, a chain of skips)
            // would otherwise leave no trace in the counts. Provider and model groups count only their own attempts.
            if (countRunErrors && run.Outcome == RunOutcome.Failed && run.ErrorClass is { } runClass && !run.Attempts.Any(a => a.Status == AttemptStatus.Failed && a.ErrorClass == runClass))
            {
                Increment(errors, runClass);
            }
        }

        return new StatsGroup
        {
            Group = name,
            Runs = runs,
            Running = running,
            Success = success,
            Degraded = degraded,
            Failed = failed,
            FellBack = fellBack,
            CacheHits = cacheHits,
            LatencyMs = LatencyPercentiles.Of(runDurations),
            ErrorClasses = errors,
            SkipReasons = skips,
            CostUsd = cost,
            Attempts = new AttemptStats
            {
                Count = attempts,
                Success = attemptSuccess,
                Failed = attemptFailed,
                Skipped = attemptSkipped,
                Started = attemptStarted,
                LatencyMs = LatencyPercentiles.Of(attemptDurations),
            },
        };
    }

    private static void Increment<T>(SortedDictionary<T, int> counts, T key)
        where T : notnull =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;

    private static List<StatsGroup> Order(List<StatsGroup> groups) =>
        [.. groups.OrderBy(static g => g.Group is null).ThenByDescending(static g => g.Runs).ThenBy(static g => g.Group, StringComparer.Ordinal)];

    // GroupBy and dictionaries need a non-null key; this wraps the group's value, null included.
    private readonly record struct GroupKey(string? Value);
}
