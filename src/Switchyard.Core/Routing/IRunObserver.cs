using Switchyard.Ledger;

namespace Switchyard.Routing;

/// <summary>Told of every run the engine finishes (after its ledger write). Must be quick and must not throw.</summary>
public interface IRunObserver
{
    /// <summary>Called once per finished run with its attempts in order.</summary>
    void RunFinished(RunRecord run, IReadOnlyList<AttemptRecord> attempts);
}
