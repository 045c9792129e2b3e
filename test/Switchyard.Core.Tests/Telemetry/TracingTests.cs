using System.Collections.Concurrent;
using System.Diagnostics;
using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;
using Switchyard.Telemetry;

namespace Switchyard.Core.Tests.Telemetry;

public sealed class TracingTests
{
    [Fact]
    public async Task Run_WithFallback_RunSpanWithAttemptChildrenAndTags()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SwitchyardTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var a = new ScriptedProvider("a").Then(ProviderFailure.Of(ErrorClass.Unavailable, "down", 503));
        var h = new EngineHarness(ContentRejectedAction.Next, c => c, a, new ScriptedProvider("b"));

        var result = await h.RunImageAsync("run_traced");

        var spans = stopped.Where(s => s.GetTagItem("switchyard.run_id") as string == "run_traced" || s.Parent?.GetTagItem("switchyard.run_id") as string == "run_traced").ToList();
        var run = Assert.Single(spans, s => s.OperationName == "switchyard.run");
        Assert.Equal("degraded", run.GetTagItem("switchyard.outcome"));
        Assert.Equal("b", run.GetTagItem("switchyard.provider"));
        var attempts = spans.Where(s => s.OperationName == "switchyard.attempt").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, s => Assert.Equal(run.SpanId, s.ParentSpanId));
        Assert.Equal("unavailable", attempts[0].GetTagItem("switchyard.error_class"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("success", attempts[1].GetTagItem("switchyard.status"));
        Assert.Equal(RunOutcome.Degraded, result.Run.Outcome);
    }
}
