using Switchyard.Ledger;

namespace Switchyard.Routing;

/// <summary>How a run ended: the output, or the error, with its ledger records.</summary>
/// <typeparam name="T">The provider output type.</typeparam>
public sealed class RunResult<T>
    where T : class
{
    /// <summary>Creates a result.</summary>
    public RunResult(RunRecord run, IReadOnlyList<AttemptRecord> attempts, T? output, RunError? error)
    {
        Run = run;
        Attempts = attempts;
        Output = output;
        Error = error;
    }

    /// <summary>The run as recorded.</summary>
    public RunRecord Run { get; }

    /// <summary>Its attempts in order.</summary>
    public IReadOnlyList<AttemptRecord> Attempts { get; }

    /// <summary>The output when served.</summary>
    public T? Output { get; }

    /// <summary>The error when not.</summary>
    public RunError? Error { get; }

    /// <summary>Whether it was served from the route's cache.</summary>
    public bool CacheHit { get; init; }

    /// <summary>Whether a later tier or the placeholder served it.</summary>
    public bool Degraded => Run.Outcome == Generation.RunOutcome.Degraded;
}
