using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Routing;

namespace Switchyard.Alerts;

/// <summary>
/// The recent run outcomes the alert rules read, in memory: fed by the engine as runs finish,
/// pruned past the longest window any rule uses, and capped so a burst cannot grow it without bound.
/// </summary>
public sealed class RunOutcomeWindow : IRunObserver
{
    /// <summary>The most samples kept; the oldest go first beyond it.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Queue<RunSample> _samples = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _keep;
    private readonly int _capacity;

    /// <summary>Creates a store that keeps what the longest window of <paramref name="config"/> needs.</summary>
    public RunOutcomeWindow(AlertsConfig config, TimeProvider time, int capacity = DefaultCapacity)
    {
        _time = time;
        _capacity = capacity;
        _keep = config.Rules.Values.Select(r => r.Window).DefaultIfEmpty(TimeSpan.Zero).Max();
    }

    /// <summary>How many samples are kept now.</summary>
    public int Count
    {
        get
        {
            lock (_samples)
            {
                return _samples.Count;
            }
        }
    }

    /// <inheritdoc />
    public void RunFinished(RunRecord run, IReadOnlyList<AttemptRecord> attempts)
    {
        if (_keep <= TimeSpan.Zero)
        {
            // No rule reads runs (none, or only circuit rules): keep nothing.
            return;
        }

        Add(new RunSample
        {
            At = _time.GetUtcNow(),
            Route = run.Route,
            Outcome = run.Outcome ?? RunOutcome.Failed,
            ServedByPlaceholder = run.Outcome != RunOutcome.Failed && string.Equals(run.ServedProviderType, "placeholder", StringComparison.Ordinal),
            ErrorClass = run.ErrorClass,
            Attempts = [.. attempts.Select(a => new AttemptSample(a.Provider, a.Status, a.ErrorClass))],
        });
    }

    /// <summary>Adds a sample (tests feed these directly).</summary>
    public void Add(RunSample sample)
    {
        lock (_samples)
        {
            _samples.Enqueue(sample);
            while (_samples.Count > _capacity)
            {
                _samples.Dequeue();
            }

            Prune(sample.At);
        }
    }

    /// <summary>The samples that finished within <paramref name="window"/> before now, oldest first.</summary>
    public IReadOnlyList<RunSample> Since(TimeSpan window)
    {
        var now = _time.GetUtcNow();
        lock (_samples)
        {
            Prune(now);
            var from = now - window;
            return [.. _samples.Where(s => s.At > from)];
        }
    }

    private void Prune(DateTimeOffset now)
    {
        var oldest = now - _keep;
        while (_samples.Count > 0 && _samples.Peek().At <= oldest)
        {
            _samples.Dequeue();
        }
    }
}
