using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Resilience;

namespace Switchyard.Core.Tests.Alerts;

public sealed class AlertEvaluatorTests
{
    private static AlertRuleConfig SuccessRate(TimeSpan? forDuration = null, string? route = null, string? provider = null) => new()
    {
        Name = "image-down",
        Kind = AlertKind.SuccessRate,
        Severity = AlertSeverity.Critical,
        Route = route,
        Provider = provider,
        Below = 0.8,
        Window = TimeSpan.FromMinutes(15),
        For = forDuration ?? TimeSpan.Zero,
    };

    [Fact]
    public void Evaluate_SuccessRateBelowThreshold_FiresThenResolvesWhenTheWindowRollsPast()
    {
        var h = new AlertHarness(20, SuccessRate(route: "image"));
        h.Runs(10, RunOutcome.Success);
        h.Runs(10, RunOutcome.Failed, error: ErrorClass.Unavailable);
        h.Runs(10, RunOutcome.Failed, route: "text");

        var fired = Assert.Single(h.Evaluator.Evaluate());
        Assert.Equal(AlertState.Firing, fired.To);
        Assert.Equal(0.5, fired.Value);
        Assert.Equal("alert.firing", fired.EventType);
        Assert.Empty(h.Evaluator.Evaluate());

        h.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        var resolved = Assert.Single(h.Evaluator.Evaluate());

        Assert.Equal(AlertState.Resolved, resolved.To);
        Assert.Null(resolved.Value);
        Assert.Equal(AlertState.Resolved, h.State("image-down"));
        Assert.Equal([AlertState.Resolved, AlertState.Firing], h.Evaluator.History.Select(t => t.To));
        Assert.Equal(0, h.Window.Count);
    }

    [Fact]
    public void Evaluate_HealthyRunsDilutingTheFailures_Resolves()
    {
        var h = new AlertHarness(20, SuccessRate());
        h.Runs(20, RunOutcome.Failed);
        Assert.Equal(AlertState.Firing, Assert.Single(h.Evaluator.Evaluate()).To);

        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.Runs(100, RunOutcome.Degraded);

        Assert.Equal(AlertState.Resolved, Assert.Single(h.Evaluator.Evaluate()).To);
        Assert.Equal(100.0 / 120, h.Evaluator.Current[0].Value);
    }

    [Fact]
    public void Evaluate_For_DelaysFiringUntilTheConditionHasHeldThatLong()
    {
        var h = new AlertHarness(20, SuccessRate(forDuration: TimeSpan.FromMinutes(2)));
        h.Runs(20, RunOutcome.Failed);

        Assert.Empty(h.Evaluator.Evaluate());
        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(h.Evaluator.Evaluate());
        Assert.Equal(AlertState.Ok, h.State("image-down"));
        h.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(AlertState.Firing, Assert.Single(h.Evaluator.Evaluate()).To);
    }

    [Fact]
    public void Evaluate_ConditionBreaksBeforeFor_StartsTheDelayAgain()
    {
        var h = new AlertHarness(20, SuccessRate(forDuration: TimeSpan.FromMinutes(2)));
        h.Runs(20, RunOutcome.Failed);
        Assert.Empty(h.Evaluator.Evaluate());
        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.Runs(200, RunOutcome.Success);
        Assert.Empty(h.Evaluator.Evaluate());

        h.Time.Advance(TimeSpan.FromMinutes(1));
        h.Runs(1000, RunOutcome.Failed);
        Assert.Empty(h.Evaluator.Evaluate());
        h.Time.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(AlertState.Firing, Assert.Single(h.Evaluator.Evaluate()).To);
    }

    [Fact]
    public void Evaluate_FewerRunsThanMinRuns_GivesNoVerdict()
    {
        var h = new AlertHarness(20, SuccessRate());
        h.Runs(19, RunOutcome.Failed);

        Assert.Empty(h.Evaluator.Evaluate());
        var status = Assert.Single(h.Evaluator.Current);
        Assert.Equal(AlertState.Ok, status.State);
        Assert.Null(status.Value);
        Assert.Equal(h.Time.GetUtcNow(), status.LastEvaluated);

        h.Runs(1, RunOutcome.Failed);
        Assert.Single(h.Evaluator.Evaluate());
    }

    [Fact]
    public void Evaluate_ProviderSuccessRate_CountsAttemptsOnThatProviderOnly()
    {
        var h = new AlertHarness(5, SuccessRate(provider: "b"));
        h.Runs(50, RunOutcome.Failed, provider: "a");
        h.Runs(5, RunOutcome.Success, provider: "b");

        Assert.Empty(h.Evaluator.Evaluate());
        Assert.Equal(1.0, h.Evaluator.Current[0].Value);
    }

    [Fact]
    public void Evaluate_ErrorRate_CountsOnlyItsClass()
    {
        var rule = new AlertRuleConfig { Name = "throttled", Kind = AlertKind.ErrorRate, ErrorClass = ErrorClass.RateLimited, Above = 0.1, Window = TimeSpan.FromMinutes(5) };
        var h = new AlertHarness(10, rule);
        h.Runs(80, RunOutcome.Success);
        h.Runs(15, RunOutcome.Failed, error: ErrorClass.Timeout);
        h.Runs(5, RunOutcome.Failed, error: ErrorClass.RateLimited);
        Assert.Empty(h.Evaluator.Evaluate());
        Assert.Equal(0.05, h.Evaluator.Current[0].Value);

        h.Runs(10, RunOutcome.Failed, error: ErrorClass.RateLimited);

        var fired = Assert.Single(h.Evaluator.Evaluate());
        Assert.Equal(15.0 / 110, fired.Value);
    }

    [Fact]
    public void Evaluate_PlaceholderShareAboveThreshold_Fires()
    {
        var rule = new AlertRuleConfig { Name = "placeholder", Kind = AlertKind.PlaceholderShare, Route = "image", Above = 0.25, Window = TimeSpan.FromMinutes(5) };
        var h = new AlertHarness(10, rule);
        h.Runs(15, RunOutcome.Success);
        h.Runs(5, RunOutcome.Degraded, placeholder: true);
        h.Runs(20, RunOutcome.Degraded, route: "text", placeholder: true);
        Assert.Empty(h.Evaluator.Evaluate());
        Assert.Equal(0.25, h.Evaluator.Current[0].Value);

        h.Runs(1, RunOutcome.Degraded, placeholder: true);

        Assert.Equal(AlertState.Firing, Assert.Single(h.Evaluator.Evaluate()).To);
    }

    [Fact]
    public void Evaluate_CircuitOpenLongerThanFor_FiresAndResolvesWhenClosed()
    {
        var rule = new AlertRuleConfig { Name = "breaker", Kind = AlertKind.CircuitOpen, Provider = "a", For = TimeSpan.FromMinutes(2) };
        var h = new AlertHarness(20, rule);
        h.Circuits.Open["a"] = h.Time.GetUtcNow();

        h.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Empty(h.Evaluator.Evaluate());
        Assert.Equal(60, h.Evaluator.Current[0].Value);
        h.Time.Advance(TimeSpan.FromMinutes(1));
        var fired = Assert.Single(h.Evaluator.Evaluate());
        Assert.Equal(120, fired.Value);
        Assert.Equal(120, fired.Rule.Threshold);

        h.Circuits.Open.Remove("a");
        Assert.Equal(AlertState.Resolved, Assert.Single(h.Evaluator.Evaluate()).To);
    }

    [Fact]
    public void OpenSince_PipelineTransitions_CountsHalfOpenAsOpenUntilClosed()
    {
        var t0 = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        CircuitTransition[] transitions =
        [
            new("a", "open", t0),
            new("b", "open", t0.AddSeconds(5)),
            new("a", "half_open", t0.AddSeconds(30)),
            new("a", "open", t0.AddSeconds(31)),
        ];

        Assert.Equal(t0, PipelineCircuitStates.OpenSince(transitions, "a"));
        Assert.Null(PipelineCircuitStates.OpenSince([.. transitions, new("a", "closed", t0.AddMinutes(2))], "a"));
        Assert.Null(PipelineCircuitStates.OpenSince(transitions, "c"));
    }

    [Fact]
    public void History_KeepsOnlyTheLastTransitions()
    {
        var h = new AlertHarness(1, SuccessRate());
        for (var i = 0; i < AlertEvaluator.HistoryLimit; i++)
        {
            h.Runs(1, RunOutcome.Failed);
            h.Evaluator.Evaluate();
            h.Time.Advance(TimeSpan.FromMinutes(16));
            h.Evaluator.Evaluate();
        }

        Assert.Equal(AlertEvaluator.HistoryLimit, h.Evaluator.History.Count);
        Assert.Equal(AlertState.Resolved, h.Evaluator.History[0].To);
    }

    [Fact]
    public void Window_BeyondCapacity_DropsTheOldest()
    {
        var config = new AlertsConfig { Rules = new Dictionary<string, AlertRuleConfig> { ["r"] = SuccessRate() } };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var window = new RunOutcomeWindow(config, time, capacity: 10);
        for (var i = 0; i < 25; i++)
        {
            window.Add(new RunSample { At = time.GetUtcNow(), Route = "r", Outcome = RunOutcome.Success });
        }

        Assert.Equal(10, window.Count);
    }
}
