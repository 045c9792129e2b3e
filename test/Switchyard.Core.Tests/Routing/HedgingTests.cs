using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;

namespace Switchyard.Core.Tests.Routing;

public sealed class HedgingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static EngineHarness Hedged(params ScriptedProvider[] providers) =>
        new(ContentRejectedAction.Next, c => c with { Timeout = TimeSpan.FromSeconds(30) }, r => r with { HedgeDelay = TimeSpan.FromSeconds(2) }, providers);

    [Fact]
    public async Task Hedge_FirstTierSlow_SecondStartsAfterDelayAndWinsFirstIsCancelled()
    {
        var a = new ScriptedProvider("a").ThenHang();
        var b = new ScriptedProvider("b");
        var h = Hedged(a, b);

        var running = h.RunImageAsync();
        await a.Called.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await h.Time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(2));
        Assert.Equal(0, b.Calls);
        h.Time.Advance(TimeSpan.FromSeconds(2));
        var result = await running;

        Assert.Equal("b", result.Run.ServedProvider);
        Assert.Equal(RunOutcome.Degraded, result.Run.Outcome);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", Ct);
        var loser = attempts.Single(x => x.Provider == "a");
        Assert.Equal(AttemptStatus.Failed, loser.Status);
        Assert.Equal(ErrorClass.Cancelled, loser.ErrorClass);
        Assert.Contains("another tier answered first", loser.Message, StringComparison.Ordinal);
        Assert.Equal(AttemptStatus.Success, attempts.Single(x => x.Provider == "b").Status);
        Assert.Equal(2, (await h.Ledger.GetRunAsync("run_1", Ct))!.AttemptCount);
    }

    [Fact]
    public async Task Hedge_FirstTierAnswersInTime_SecondNeverCalled()
    {
        var a = new ScriptedProvider("a");
        var b = new ScriptedProvider("b");
        var h = Hedged(a, b);

        var result = await h.RunImageAsync();

        Assert.Equal("a", result.Run.ServedProvider);
        Assert.Equal(RunOutcome.Success, result.Run.Outcome);
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task Hedge_FirstTierFailsFast_SecondStartsWithoutWaiting()
    {
        var a = new ScriptedProvider("a").Then(ProviderFailure.Of(ErrorClass.Unavailable, "down", 503));
        var b = new ScriptedProvider("b");
        var h = Hedged(a, b);

        var result = await h.RunImageAsync();

        Assert.Equal("b", result.Run.ServedProvider);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", Ct);
        Assert.Equal([AttemptStatus.Failed, AttemptStatus.Success], attempts.Select(x => x.Status));
    }

    [Fact]
    public async Task Hedge_AllFail_FailedRunListsEach()
    {
        var a = new ScriptedProvider("a").Then(ProviderFailure.Of(ErrorClass.Unavailable, "down", 503));
        var b = new ScriptedProvider("b").Then(ProviderFailure.Of(ErrorClass.Timeout, "slow"));
        var h = Hedged(a, b);

        var result = await h.RunImageAsync();

        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
        Assert.Contains("a/m: unavailable", result.Error!.Message, StringComparison.Ordinal);
        Assert.Contains("b/m: timeout", result.Error.Message, StringComparison.Ordinal);
    }
}
