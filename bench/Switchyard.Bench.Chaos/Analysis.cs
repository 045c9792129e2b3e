namespace Switchyard.Bench.Chaos;

/// <summary>One target of the benchmark and whether the run met it.</summary>
internal sealed record Target(string Scenario, string Name, string Value, bool Met);

/// <summary>What the client saw and the ledger holds for one scenario, cross-checked.</summary>
internal sealed class Analysis
{
    public Analysis(string name, IReadOnlyList<RequestResult> results, double startMs, double endMs, Dictionary<string, LedgerRun> ledger, IReadOnlyList<CircuitTransition> transitions)
    {
        Name = name;
        Results = results;
        StartMs = startMs;
        EndMs = endMs;
        Ledger = ledger;
        Transitions = [.. transitions.Select(t => t with { AtMs = t.AtMs - startMs })];

        foreach (var result in results)
        {
            if (result.RunId is null)
            {
                NoRunId.Add(result);
                continue;
            }

            if (!ledger.TryGetValue(result.RunId, out var run))
            {
                Missing.Add(result);
                continue;
            }

            Found.Add((result, run));
            if (Problems(result, run) is { } problem)
            {
                Incomplete.Add((result, run, problem));
            }
        }

        var sent = new HashSet<string>(results.Where(r => r.RunId is not null).Select(r => r.RunId!), StringComparer.Ordinal);
        ExtraRuns = ledger.Keys.Count(id => !sent.Contains(id));
    }

    public string Name { get; }

    public IReadOnlyList<RequestResult> Results { get; }

    public double StartMs { get; }

    public double EndMs { get; }

    public double WallMs => EndMs - StartMs;

    public Dictionary<string, LedgerRun> Ledger { get; }

    /// <summary>Transitions with times relative to the start of the load.</summary>
    public IReadOnlyList<CircuitTransition> Transitions { get; }

    public List<RequestResult> NoRunId { get; } = [];

    public List<RequestResult> Missing { get; } = [];

    public List<(RequestResult Request, LedgerRun Run)> Found { get; } = [];

    /// <summary>Runs found whose attempts are not all accounted for, with the first problem seen.</summary>
    public List<(RequestResult Request, LedgerRun Run, string Problem)> Incomplete { get; } = [];

    public int ExtraRuns { get; }

    /// <summary>Requests whose run is in the ledger with every attempt, finished, consistent with the response.</summary>
    public int FullyAccounted => Found.Count - Incomplete.Count;

    public double AccountedShare => Results.Count == 0 ? 0 : (double)FullyAccounted / Results.Count;

    public int FailedRuns => Found.Count(f => f.Run.Outcome == "failed");

    public int Non200 => Results.Count(r => r.Status != 200);

    public int StartedLeftovers => Ledger.Values.Sum(r => r.Attempts.Count(a => a.Status == "started"));

    public int RunsWithStartedLeftovers => Ledger.Values.Count(r => r.Attempts.Any(a => a.Status == "started"));

    public static double Percentile(IEnumerable<double> values, double p)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    /// <summary>Why a found run does not account for every attempt of its request, or null when it does.</summary>
    private static string? Problems(RequestResult request, LedgerRun run)
    {
        if (run.Outcome is null)
        {
            return "run has no outcome (never finished)";
        }

        if (run.Attempts.Count != run.AttemptCount)
        {
            return $"runs.attempt_count {run.AttemptCount} but {run.Attempts.Count} attempt rows";
        }

        if (request.AttemptsHeader is { } header && header != run.Attempts.Count)
        {
            return $"x-switchyard-attempts {header} but {run.Attempts.Count} attempt rows";
        }

        for (var i = 0; i < run.Attempts.Count; i++)
        {
            if (run.Attempts[i].Seq != i + 1)
            {
                return $"attempt seq {run.Attempts[i].Seq} at position {i + 1}";
            }
        }

        if (run.Attempts.FirstOrDefault(a => a.Status == "started") is { } open)
        {
            return $"attempt {open.Seq} ({open.Provider}) still 'started'";
        }

        if (run.Outcome is "success" or "degraded")
        {
            var successes = run.Attempts.Where(a => a.Status == "success").ToList();
            if (successes.Count != 1)
            {
                return $"outcome {run.Outcome} with {successes.Count} successful attempts";
            }

            if (successes[0].Provider != run.ServedProvider || successes[0].Tier != run.ServedTier)
            {
                return $"served by {run.ServedProvider} (tier {run.ServedTier}) but the successful attempt is {successes[0].Provider} (tier {successes[0].Tier})";
            }

            if (request.Provider is { } provider && provider != run.ServedProvider)
            {
                return $"x-switchyard-provider {provider} but the ledger says {run.ServedProvider}";
            }

            if (request.Degraded != (run.Outcome == "degraded"))
            {
                return $"x-switchyard-degraded {request.Degraded} but outcome {run.Outcome}";
            }
        }

        if (request.Status != (run.HttpStatus ?? 200))
        {
            return $"HTTP {request.Status} but the ledger says {run.HttpStatus}";
        }

        return null;
    }
}
