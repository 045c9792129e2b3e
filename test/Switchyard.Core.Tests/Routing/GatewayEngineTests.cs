using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Routing;

public sealed class GatewayEngineTests
{
    private static ProviderFailure Fail(ErrorClass errorClass, int? status = null) => ProviderFailure.Of(errorClass, $"simulated {errorClass}", status);

    [Fact]
    public async Task ExecuteAsync_FirstTierSucceeds_OutcomeSuccessWithOneAttempt()
    {
        var a = new ScriptedProvider("a");
        var h = new EngineHarness(providers: [a, new ScriptedProvider("b")]);

        var result = await h.RunImageAsync();

        Assert.Null(result.Error);
        Assert.Equal(RunOutcome.Success, result.Run.Outcome);
        Assert.Equal("a", result.Run.ServedProvider);
        var attempt = Assert.Single(await h.Ledger.GetAttemptsAsync("run_1", default));
        Assert.Equal(AttemptStatus.Success, attempt.Status);
        var stored = await h.Ledger.GetRunAsync("run_1", default);
        Assert.Equal(RunOutcome.Success, stored!.Outcome);
        Assert.Equal(1, stored.AttemptCount);
    }

    [Fact]
    public async Task ExecuteAsync_StartedRecordWrittenBeforeUpstreamCall()
    {
        var a = new ScriptedProvider("a");
        var h = new EngineHarness(providers: [a]);

        await h.RunImageAsync();

        var writes = h.Ledger.AttemptWrites.ToList();
        Assert.Equal(2, writes.Count);
        Assert.Equal(AttemptStatus.Started, writes[0].Status);
        Assert.Equal(AttemptStatus.Success, writes[1].Status);
    }

    [Theory]
    [InlineData(ErrorClass.Unavailable, 503)]
    [InlineData(ErrorClass.RateLimited, 429)]
    [InlineData(ErrorClass.Auth, 401)]
    [InlineData(ErrorClass.ContentRejected, 400)]
    public async Task ExecuteAsync_FirstTierFails_FallsBackAndIsDegraded(ErrorClass errorClass, int status)
    {
        var a = new ScriptedProvider("a").Then(Fail(errorClass, status));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(providers: [a, b]);

        var result = await h.RunImageAsync();

        Assert.Equal(RunOutcome.Degraded, result.Run.Outcome);
        Assert.Equal("b", result.Run.ServedProvider);
        Assert.Equal(1, result.Run.ServedTier);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", default);
        Assert.Equal([AttemptStatus.Failed, AttemptStatus.Success], attempts.Select(x => x.Status));
        Assert.Equal(errorClass, attempts[0].ErrorClass);
        Assert.Equal(status, attempts[0].HttpStatus);
        Assert.Contains($"a/m: {errorClass.ToWire()}", result.Run.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_InvalidRequestFromProvider_StopsWithoutFallback()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.InvalidRequest, 400));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(providers: [a, b]);

        var result = await h.RunImageAsync();

        Assert.Equal(400, result.Error!.HttpStatus);
        Assert.Equal(0, b.Calls);
        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
    }

    [Fact]
    public async Task ExecuteAsync_ContentRejectedWithFailPolicy_StopsWith400NamingPrompt()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.ContentRejected, 400));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Fail, providers: [a, b]);

        var result = await h.RunImageAsync();

        Assert.Equal(400, result.Error!.HttpStatus);
        Assert.Equal("content_rejected", result.Error.Code);
        Assert.Equal("prompt", result.Error.Param);
        Assert.Equal(0, b.Calls);
    }

    [Fact]
    public async Task ExecuteAsync_ContentRejectedWithPlaceholderPolicy_JumpsToPlaceholder()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.ContentRejected, 400));
        var b = new ScriptedProvider("b");
        var placeholder = new ScriptedProvider("ph", "placeholder");
        var h = new EngineHarness(ContentRejectedAction.Placeholder, providers: [a, b, placeholder]);

        var result = await h.RunImageAsync();

        Assert.Equal(0, b.Calls);
        Assert.Equal("ph", result.Run.ServedProvider);
        Assert.Equal(RunOutcome.Degraded, result.Run.Outcome);
    }

    [Fact]
    public async Task ExecuteAsync_MisconfiguredAndNotCapable_SkippedWithReasons()
    {
        var a = new ScriptedProvider("a") { Readiness = ProviderReadiness.Misconfigured("missing environment variable OPENAI_API_KEY") };
        var b = new ScriptedProvider("b") { NotCapableReason = "size 4096x4096 is not supported" };
        var c = new ScriptedProvider("c");
        var h = new EngineHarness(providers: [a, b, c]);

        var result = await h.RunImageAsync();

        Assert.Equal(0, a.Calls);
        Assert.Equal(0, b.Calls);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", default);
        Assert.Equal(SkipReason.Misconfigured, attempts[0].SkipReason);
        Assert.Contains("OPENAI_API_KEY", attempts[0].Message, StringComparison.Ordinal);
        Assert.Equal(SkipReason.NotCapable, attempts[1].SkipReason);
        Assert.Equal(AttemptStatus.Success, attempts[2].Status);
        Assert.Equal(RunOutcome.Degraded, result.Run.Outcome);
    }

    [Fact]
    public async Task ExecuteAsync_AllTiersFail_FailedRunWith502ListingEachAttempt()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.Unavailable, 503));
        var b = new ScriptedProvider("b").Then(Fail(ErrorClass.Unavailable, 500));
        var h = new EngineHarness(providers: [a, b]);

        var result = await h.RunImageAsync();

        Assert.Equal(502, result.Error!.HttpStatus);
        Assert.Contains("a/m: unavailable (HTTP 503)", result.Error.Message, StringComparison.Ordinal);
        Assert.Contains("b/m: unavailable (HTTP 500)", result.Error.Message, StringComparison.Ordinal);
        var run = await h.Ledger.GetRunAsync("run_1", default);
        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Equal(ErrorClass.Unavailable, run.ErrorClass);
    }

    [Fact]
    public async Task ExecuteAsync_AllSkippedNotCapable_400NotCapable()
    {
        var a = new ScriptedProvider("a") { NotCapableReason = "mp3 needs lame" };
        var h = new EngineHarness(providers: [a]);

        var result = await h.RunImageAsync();

        Assert.Equal(400, result.Error!.HttpStatus);
        Assert.Equal("not_capable", result.Error.Code);
        Assert.Contains("mp3 needs lame", result.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecuteAsync_ProviderHangs_TimesOutOnFakeClockAndFallsBack()
    {
        var a = new ScriptedProvider("a").ThenHang();
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(timeout: TimeSpan.FromSeconds(10), providers: [a, b]);

        var running = h.RunImageAsync();
        await a.Called.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.False(running.IsCompleted);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var result = await running;

        var attempts = await h.Ledger.GetAttemptsAsync("run_1", default);
        Assert.Equal(ErrorClass.Timeout, attempts[0].ErrorClass);
        Assert.Equal("timeout after 10s", attempts[0].Message);
        Assert.Equal("b", result.Run.ServedProvider);
    }

    [Fact]
    public async Task ExecuteAsync_ClientCancels_RecordedAsCancelledWithoutFallback()
    {
        var a = new ScriptedProvider("a").ThenHang();
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(providers: [a, b]);
        using var cts = new CancellationTokenSource();

        var running = h.RunImageAsync(cts.Token);
        await a.Called.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        var result = await running;

        Assert.Equal(ErrorClass.Cancelled, result.Error!.Class);
        Assert.Equal(0, b.Calls);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", default);
        Assert.Equal(ErrorClass.Cancelled, Assert.Single(attempts).ErrorClass);
    }

    [Fact]
    public async Task ExecuteAsync_EmptyImageOutput_FailsAttemptAsEmptyOutput()
    {
        var a = new ScriptedProvider("a");
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(providers: [a, b]);
        h.Inspector.Size = (512, 512);

        var result = await h.RunImageAsync();

        var attempts = await h.Ledger.GetAttemptsAsync("run_1", default);
        Assert.Equal("wrong_size", attempts[0].ErrorCode);
        Assert.Equal(ErrorClass.Unavailable, attempts[0].ErrorClass);
        Assert.Equal(RunOutcome.Failed, result.Run.Outcome);
    }

    [Fact]
    public async Task ExecuteAsync_PromptPreview_RedactsEmail()
    {
        var h = new EngineHarness(providers: [new ScriptedProvider("a")]);

        await h.RunImageAsync();

        var run = await h.Ledger.GetRunAsync("run_1", default);
        Assert.DoesNotContain("someone@example.com", run!.PromptPreview, StringComparison.Ordinal);
        Assert.Equal(64, run.PromptHash!.Length);
    }

    [Fact]
    public async Task StartChatStreamAsync_FirstTierFailsBeforeFirstToken_FallsBack()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.Unavailable, 503));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(providers: [a, b]);

        var stream = await h.Engine.StartChatStreamAsync(h.Request(), new ChatRequest { Messages = [new ChatMessage("user", "hi")] }, default);
        var text = string.Concat(await stream.Events.Select(e => e.Delta).ToListAsync());

        Assert.Null(stream.Failed);
        Assert.Equal("b", stream.Run.ServedProvider);
        Assert.Equal("Hello world", text);
        var run = await h.Ledger.GetRunAsync("run_1", default);
        Assert.Equal(RunOutcome.Degraded, run!.Outcome);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", default);
        Assert.Equal([AttemptStatus.Failed, AttemptStatus.Success], attempts.Select(x => x.Status));
    }

    [Fact]
    public async Task StartChatStreamAsync_FailureAfterFirstToken_EndsStreamWithErrorAndFailedRun()
    {
        var a = new ScriptedProvider("a") { FailMidStream = Fail(ErrorClass.Unavailable, 502) };
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(providers: [a, b]);

        var stream = await h.Engine.StartChatStreamAsync(h.Request(), new ChatRequest { Messages = [new ChatMessage("user", "hi")] }, default);
        var events = await stream.Events.ToListAsync();

        Assert.Equal("Hello", events[0].Delta);
        Assert.NotNull(events[^1].Failure);
        Assert.Equal(0, b.Calls);
        var run = await h.Ledger.GetRunAsync("run_1", default);
        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Equal(AttemptStatus.Failed, Assert.Single(await h.Ledger.GetAttemptsAsync("run_1", default)).Status);
    }

    [Fact]
    public async Task StartChatStreamAsync_ConsumerStopsEarly_RecordedAsCancelled()
    {
        var a = new ScriptedProvider("a");
        var h = new EngineHarness(providers: [a]);

        var stream = await h.Engine.StartChatStreamAsync(h.Request(), new ChatRequest { Messages = [new ChatMessage("user", "hi")] }, default);
        await foreach (var item in stream.Events)
        {
            break;
        }

        var run = await h.Ledger.GetRunAsync("run_1", default);
        Assert.Equal(RunOutcome.Failed, run!.Outcome);
        Assert.Equal(ErrorClass.Cancelled, run.ErrorClass);
    }
}
