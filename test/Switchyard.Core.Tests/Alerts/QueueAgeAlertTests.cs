using Microsoft.Extensions.Time.Testing;
using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Jobs;

namespace Switchyard.Core.Tests.Alerts;

/// <summary><c>queue_age</c> rules: the oldest ready job item has waited longer than <c>above</c> (config in AlertConfigTests).</summary>
public sealed class QueueAgeAlertTests
{
    [Fact]
    public void Evaluate_OldestItemWaitsTooLong_FiresAfterForThenResolves()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var rule = new AlertRuleConfig { Name = "backlog", Kind = AlertKind.QueueAge, OlderThan = TimeSpan.FromMinutes(10), For = TimeSpan.FromMinutes(1) };
        var config = new AlertsConfig { MinRuns = 1, Rules = new Dictionary<string, AlertRuleConfig> { ["backlog"] = rule } };
        var queue = new JobQueueReading();
        var evaluator = new AlertEvaluator(config, new RunOutcomeWindow(config, time), new NoCircuits(), time, queue);

        Assert.Empty(evaluator.Evaluate()); // no reading yet: no verdict
        Assert.Null(evaluator.Current[0].Value);

        queue.Observe(new JobQueueStats(40, TimeSpan.FromMinutes(11), 2));
        Assert.Empty(evaluator.Evaluate()); // breached, not yet for a minute
        time.Advance(TimeSpan.FromMinutes(1));
        var fired = Assert.Single(evaluator.Evaluate());
        Assert.Equal((AlertState.Firing, (double?)660), (fired.To, fired.Value));

        queue.Observe(new JobQueueStats(3, TimeSpan.FromSeconds(20), 2));
        var resolved = Assert.Single(evaluator.Evaluate());
        Assert.Equal(AlertState.Resolved, resolved.To);
    }

    private sealed class NoCircuits : ICircuitStates
    {
        public DateTimeOffset? OpenSince(string provider) => null;
    }
}
