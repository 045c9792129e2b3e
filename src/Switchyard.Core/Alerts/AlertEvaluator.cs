using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Jobs;

namespace Switchyard.Alerts;

/// <summary>
/// Computes each rule's value over its sliding window on the injected clock and moves it
/// ok → firing (once the condition has held for the rule's <c>for</c>) → resolved, keeping the
/// current states and the last <see cref="HistoryLimit"/> transitions. Too few runs in the window
/// give no verdict: a rule never fires on thin data, and a firing rule whose window empties resolves.
/// </summary>
public sealed class AlertEvaluator
{
    /// <summary>The most transitions kept in the history.</summary>
    public const int HistoryLimit = 100;

    private readonly AlertsConfig _config;
    private readonly RunOutcomeWindow _window;
    private readonly ICircuitStates _circuits;
    private readonly JobQueueReading? _queue;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, RuleState> _states = new(StringComparer.Ordinal);
    private readonly LinkedList<AlertTransition> _history = new();
    private readonly Lock _lock = new();

    /// <summary>Creates an evaluator of <paramref name="config"/>'s rules.</summary>
    public AlertEvaluator(AlertsConfig config, RunOutcomeWindow window, ICircuitStates circuits, TimeProvider time, JobQueueReading? queue = null)
    {
        _queue = queue;
        _config = config;
        _window = window;
        _circuits = circuits;
        _time = time;
        var now = time.GetUtcNow();
        foreach (var rule in config.Rules.Values)
        {
            _states[rule.Name] = new RuleState { Since = now };
        }
    }

    /// <summary>Every rule's current state, in name order.</summary>
    public IReadOnlyList<AlertStatus> Current
    {
        get
        {
            lock (_lock)
            {
                return [.. _config.Rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal).Select(r =>
                {
                    var s = _states[r.Name];
                    return new AlertStatus { Rule = r, State = s.State, Value = s.Value, Since = s.Since, LastEvaluated = s.LastEvaluated };
                })];
            }
        }
    }

    /// <summary>The last transitions, newest first.</summary>
    public IReadOnlyList<AlertTransition> History
    {
        get
        {
            lock (_lock)
            {
                return [.. _history];
            }
        }
    }

    /// <summary>Evaluates every rule now and returns the transitions this made, in rule name order.</summary>
    public IReadOnlyList<AlertTransition> Evaluate()
    {
        var now = _time.GetUtcNow();
        var transitions = new List<AlertTransition>();
        lock (_lock)
        {
            foreach (var rule in _config.Rules.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
            {
                var state = _states[rule.Name];
                var (value, breached) = Measure(rule, now);
                state.Value = value;
                state.LastEvaluated = now;
                if (breached)
                {
                    state.PendingSince ??= now;
                    // A circuit rule's 'for' is already part of its condition (open at least that long).
                    var held = rule.Kind == AlertKind.CircuitOpen ? TimeSpan.Zero : rule.For;
                    if (state.State != AlertState.Firing && now - state.PendingSince.Value >= held)
                    {
                        transitions.Add(Move(rule, state, AlertState.Firing, now));
                    }
                }
                else
                {
                    state.PendingSince = null;
                    if (state.State == AlertState.Firing)
                    {
                        transitions.Add(Move(rule, state, AlertState.Resolved, now));
                    }
                }
            }
        }

        return transitions;
    }

    private AlertTransition Move(AlertRuleConfig rule, RuleState state, AlertState to, DateTimeOffset now)
    {
        var transition = new AlertTransition { Rule = rule, From = state.State, To = to, At = now, Value = state.Value };
        state.State = to;
        state.Since = now;
        _history.AddFirst(transition);
        while (_history.Count > HistoryLimit)
        {
            _history.RemoveLast();
        }

        return transition;
    }

    /// <summary>The rule's value now and whether it breaches the threshold; (null, false) when there is no verdict.</summary>
    private (double? Value, bool Breached) Measure(AlertRuleConfig rule, DateTimeOffset now)
    {
        if (rule.Kind == AlertKind.CircuitOpen)
        {
            var since = _circuits.OpenSince(rule.Provider!);
            if (since is null)
            {
                return (0, false);
            }

            var open = now - since.Value;
            return (open.TotalSeconds, open >= rule.For);
        }

        if (rule.Kind == AlertKind.QueueAge)
        {
            // No reading yet (no worker pass, or jobs not in use): no verdict.
            return _queue?.Latest is { } reading ? (reading.OldestAge.TotalSeconds, reading.OldestAge > rule.OlderThan) : (null, false);
        }

        var runs = _window.Since(rule.Window).Where(r => rule.Route is null || string.Equals(r.Route, rule.Route, StringComparison.Ordinal));
        int total;
        int hits;
        if (rule.Provider is { } provider)
        {
            // Per provider the unit is an attempt actually made there (skips never reached it).
            var attempts = runs.SelectMany(r => r.Attempts)
                .Where(a => string.Equals(a.Provider, provider, StringComparison.Ordinal) && a.Status is AttemptStatus.Success or AttemptStatus.Failed)
                .ToList();
            total = attempts.Count;
            hits = rule.Kind switch
            {
                AlertKind.SuccessRate => attempts.Count(a => a.Status == AttemptStatus.Success),
                AlertKind.ErrorRate => attempts.Count(a => a.ErrorClass == rule.ErrorClass),
                _ => 0,
            };
        }
        else
        {
            var list = runs.ToList();
            total = list.Count;
            hits = rule.Kind switch
            {
                // Served counts as success: a degraded run still answered the caller.
                AlertKind.SuccessRate => list.Count(r => r.Outcome != RunOutcome.Failed),
                AlertKind.ErrorRate => list.Count(r => r.ErrorClass == rule.ErrorClass || r.Attempts.Any(a => a.ErrorClass == rule.ErrorClass)),
                AlertKind.PlaceholderShare => list.Count(r => r.ServedByPlaceholder),
                _ => 0,
            };
        }

        if (total < _config.MinRuns || total == 0)
        {
            return (null, false);
        }

        var share = (double)hits / total;
        return rule.Kind == AlertKind.SuccessRate ? (share, share < rule.Below) : (share, share > rule.Above);
    }

    private sealed class RuleState
    {
        public AlertState State { get; set; } = AlertState.Ok;

        public DateTimeOffset Since { get; set; }

        public DateTimeOffset? PendingSince { get; set; }

        public DateTimeOffset? LastEvaluated { get; set; }

        public double? Value { get; set; }
    }
}
