using Microsoft.Extensions.Time.Testing;
using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Core.Tests.Alerts;

/// <summary>An evaluator over a hand-fed window and circuit source on a fake clock.</summary>
internal sealed class AlertHarness
{
    public AlertHarness(int minRuns, params AlertRuleConfig[] rules)
    {
        Config = new AlertsConfig { MinRuns = minRuns, Rules = rules.ToDictionary(r => r.Name, StringComparer.Ordinal) };
        Window = new RunOutcomeWindow(Config, Time);
        Evaluator = new AlertEvaluator(Config, Window, Circuits, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    public AlertsConfig Config { get; }

    public RunOutcomeWindow Window { get; }

    public FakeCircuits Circuits { get; } = new();

    public AlertEvaluator Evaluator { get; }

    /// <summary>Adds <paramref name="count"/> runs finished now on route <paramref name="route"/>.</summary>
    public void Runs(int count, RunOutcome outcome, string route = "image", ErrorClass? error = null, bool placeholder = false, string provider = "a")
    {
        for (var i = 0; i < count; i++)
        {
            var status = outcome == RunOutcome.Failed ? AttemptStatus.Failed : AttemptStatus.Success;
            Window.Add(new RunSample
            {
                At = Time.GetUtcNow(),
                Route = route,
                Outcome = outcome,
                ErrorClass = outcome == RunOutcome.Failed ? error : null,
                ServedByPlaceholder = placeholder,
                Attempts = [new AttemptSample(provider, status, outcome == RunOutcome.Failed ? error : null)],
            });
        }
    }

    public AlertState State(string rule) => Evaluator.Current.Single(s => s.Rule.Name == rule).State;

    internal sealed class FakeCircuits : ICircuitStates
    {
        public Dictionary<string, DateTimeOffset> Open { get; } = new(StringComparer.Ordinal);

        public DateTimeOffset? OpenSince(string provider) => Open.TryGetValue(provider, out var since) ? since : null;
    }
}
