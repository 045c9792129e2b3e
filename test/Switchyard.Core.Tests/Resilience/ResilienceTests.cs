using Polly.Testing;
using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;

namespace Switchyard.Core.Tests.Resilience;

public sealed class ResilienceTests
{
    private static ProviderFailure Fail(ErrorClass errorClass, TimeSpan? retryAfter = null) =>
        new() { Class = errorClass, Message = $"simulated {errorClass}", RetryAfter = retryAfter };

    private static Func<ProviderConfig, ProviderConfig> Retries(int maxAttempts, TimeSpan? maxRetryAfter = null) => c => c with
    {
        Retry = new RetryConfig
        {
            MaxAttempts = maxAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(250),
            MaxDelay = TimeSpan.FromSeconds(1),
            MaxRetryAfter = maxRetryAfter ?? TimeSpan.FromSeconds(5),
        },
    };

    [Fact]
    public void Pipeline_Composition_LimitersTotalTimeoutRetryBreakerAttemptTimeoutInThatOrder()
    {
        var h = new EngineHarness(ContentRejectedAction.Next, c => Retries(3)(c) with { RateLimit = new RateLimitConfig { Rpm = 60, Concurrency = 2 } }, new ScriptedProvider("a"));

        var descriptor = h.Pipelines.For("a").GetPipelineDescriptor();

        var kinds = descriptor.Strategies.Select(s => s.StrategyInstance.GetType().Name).ToList();
        // The concurrency and rpm limits are one chained limiter: one strategy.
        Assert.Equal(["RateLimiterResilienceStrategy", "TimeoutResilienceStrategy", "RetryResilienceStrategy`1", "CircuitBreakerResilienceStrategy`1", "TimeoutResilienceStrategy"], kinds);
        Assert.Equal(TimeSpan.FromSeconds(60), ((Polly.Timeout.TimeoutStrategyOptions)descriptor.Strategies[1].Options!).Timeout);
        Assert.Equal(TimeSpan.FromSeconds(5), ((Polly.Timeout.TimeoutStrategyOptions)descriptor.Strategies[4].Options!).Timeout);
        var retry = (Polly.Retry.RetryStrategyOptions<Switchyard.Resilience.ITryOutcome>)descriptor.Strategies[2].Options!;
        Assert.Equal(2, retry.MaxRetryAttempts);
        Assert.True(retry.UseJitter);
        Assert.Equal(Polly.DelayBackoffType.Exponential, retry.BackoffType);
    }

    [Fact]
    public void Pipeline_NoLimitsOneTry_NoLimiterNoRetry()
    {
        var h = new EngineHarness(providers: [new ScriptedProvider("a")]);

        var kinds = h.Pipelines.For("a").GetPipelineDescriptor().Strategies.Select(s => s.StrategyInstance.GetType().Name).ToList();

        Assert.Equal(["TimeoutResilienceStrategy", "CircuitBreakerResilienceStrategy`1", "TimeoutResilienceStrategy"], kinds);
    }

    [Fact]
    public async Task Retry_TransientFailures_RetriedWithBackoffOnSameTierAndRecordedEach()
    {
        var a = new ScriptedProvider("a").Times(2, Fail(ErrorClass.Unavailable));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, Retries(3), a, b);

        var running = h.RunImageAsync();
        for (var retry = 1; retry <= 2; retry++)
        {
            var delay = await h.Time.WaitForTimerAsync(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(1));
            h.Time.Advance(delay);
        }

        var result = await running;
        Assert.Equal(3, a.Calls);
        Assert.Equal(0, b.Calls);
        Assert.Equal(RunOutcome.Success, result.Run.Outcome);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", TestContext.Current.CancellationToken);
        Assert.Equal([0, 1, 2], attempts.Select(x => x.Retry));
        Assert.Equal([AttemptStatus.Failed, AttemptStatus.Failed, AttemptStatus.Success], attempts.Select(x => x.Status));
        Assert.All(attempts, x => Assert.Equal(0, x.Tier));
    }

    [Fact]
    public async Task Retry_RetryAfterWithinCap_WaitsExactlyThatLong()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.RateLimited, TimeSpan.FromSeconds(3)));
        var h = new EngineHarness(ContentRejectedAction.Next, Retries(2), a);

        var running = h.RunImageAsync();
        var delay = await h.Time.WaitForTimerAsync(d => d == TimeSpan.FromSeconds(3));
        h.Time.Advance(delay - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, a.Calls);
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        var result = await running;

        Assert.Equal(2, a.Calls);
        Assert.Equal(RunOutcome.Success, result.Run.Outcome);
    }

    [Fact]
    public async Task Retry_RetryAfterAboveCap_MovesToNextTierWithoutWaiting()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.RateLimited, TimeSpan.FromSeconds(30)));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, Retries(3, TimeSpan.FromSeconds(5)), a, b);

        var result = await h.RunImageAsync();

        Assert.Equal(1, a.Calls);
        Assert.Equal("b", result.Run.ServedProvider);
    }

    [Theory]
    [InlineData(ErrorClass.Auth)]
    [InlineData(ErrorClass.ContentRejected)]
    [InlineData(ErrorClass.Misconfigured)]
    public async Task Retry_NonRetryableClass_OneCallThenNextTier(ErrorClass errorClass)
    {
        var a = new ScriptedProvider("a").Then(Fail(errorClass));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, Retries(3), a, b);

        var result = await h.RunImageAsync();

        Assert.Equal(1, a.Calls);
        Assert.Equal("b", result.Run.ServedProvider);
    }

    [Fact]
    public async Task Retry_InvalidRequest_NotRetriedAndNoFallback()
    {
        var a = new ScriptedProvider("a").Then(Fail(ErrorClass.InvalidRequest));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, Retries(3), a, b);

        var result = await h.RunImageAsync();

        Assert.Equal(1, a.Calls);
        Assert.Equal(0, b.Calls);
        Assert.Equal(400, result.Error!.HttpStatus);
    }

    [Fact]
    public async Task Circuit_OpensOnFailureRatio_SkipsWithoutCallingThenHalfOpensAndCloses()
    {
        var a = new ScriptedProvider("a").Times(4, Fail(ErrorClass.Unavailable));
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(
            ContentRejectedAction.Next,
            c => c with { CircuitBreaker = new CircuitBreakerConfig { FailureRatio = 0.5, MinimumThroughput = 4, Sampling = TimeSpan.FromSeconds(30), Break = TimeSpan.FromSeconds(20) } },
            a,
            b);

        for (var i = 0; i < 4; i++)
        {
            await h.RunImageAsync($"run_{i}");
        }

        Assert.Equal("open", h.Pipelines.CircuitState("a"));
        var skipped = await h.RunImageAsync("run_open");
        Assert.Equal(4, a.Calls);
        var attempts = await h.Ledger.GetAttemptsAsync("run_open", TestContext.Current.CancellationToken);
        Assert.Equal(SkipReason.CircuitOpen, attempts[0].SkipReason);
        Assert.Equal(AttemptStatus.Skipped, attempts[0].Status);
        Assert.Equal("b", skipped.Run.ServedProvider);

        h.Time.Advance(TimeSpan.FromSeconds(20));
        var probe = await h.RunImageAsync("run_probe");

        Assert.Equal(5, a.Calls);
        Assert.Equal("a", probe.Run.ServedProvider);
        Assert.Equal("closed", h.Pipelines.CircuitState("a"));
        Assert.Equal(["open", "half_open", "closed"], h.Pipelines.Transitions.Select(t => t.State));
    }

    [Fact]
    public async Task Circuit_ContentRejectionsAndRateLimits_DoNotOpenIt()
    {
        var a = new ScriptedProvider("a").Times(3, Fail(ErrorClass.ContentRejected)).Times(3, Fail(ErrorClass.RateLimited));
        var h = new EngineHarness(
            ContentRejectedAction.Next,
            c => c with { CircuitBreaker = new CircuitBreakerConfig { FailureRatio = 0.5, MinimumThroughput = 2, Sampling = TimeSpan.FromSeconds(30), Break = TimeSpan.FromSeconds(20) } },
            a,
            new ScriptedProvider("b"));

        for (var i = 0; i < 6; i++)
        {
            await h.RunImageAsync($"run_{i}");
        }

        Assert.Equal("closed", h.Pipelines.CircuitState("a"));
        Assert.Equal(6, a.Calls);
    }

    [Fact]
    public async Task RateLimit_ConcurrencySaturated_SkipsAsLocalRateLimitAndFallsBack()
    {
        var a = new ScriptedProvider("a").ThenHang();
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, c => c with { RateLimit = new RateLimitConfig { Concurrency = 1 }, Timeout = TimeSpan.FromSeconds(60) }, a, b);
        using var cts = new CancellationTokenSource();

        var first = h.RunImageAsync("run_hanging", cts.Token);
        await a.Called.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var second = await h.RunImageAsync("run_second");

        Assert.Equal("b", second.Run.ServedProvider);
        var attempts = await h.Ledger.GetAttemptsAsync("run_second", TestContext.Current.CancellationToken);
        Assert.Equal(SkipReason.LocalRateLimit, attempts[0].SkipReason);
        Assert.Equal(1, a.Calls);
        await cts.CancelAsync();
        await first;
    }

    [Fact]
    public async Task RateLimit_RpmExhausted_SkipsAsLocalRateLimit()
    {
        var a = new ScriptedProvider("a");
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, c => c with { RateLimit = new RateLimitConfig { Rpm = 2 } }, a, b);

        var results = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            results.Add((await h.RunImageAsync($"run_{i}")).Run.ServedProvider);
        }

        Assert.Equal(["a", "a", "b"], results);
    }

    [Fact]
    public async Task RateLimit_ConcurrencyAndRpmTogether_EachRefusesInTurn()
    {
        var a = new ScriptedProvider("a").ThenHang();
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(ContentRejectedAction.Next, c => c with { RateLimit = new RateLimitConfig { Concurrency = 1, Rpm = 3 }, Timeout = TimeSpan.FromSeconds(60) }, a, b);
        using var cts = new CancellationTokenSource();

        // The one slot is held: the next request is refused by the concurrency limit.
        var hanging = h.RunImageAsync("run_hanging", cts.Token);
        await a.Called.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        Assert.Equal("b", (await h.RunImageAsync("run_busy")).Run.ServedProvider);
        await cts.CancelAsync();
        await hanging;

        // The slot is back; two more calls use up the rpm (three a minute), then the rate refuses.
        var served = new List<string?>();
        for (var i = 0; i < 3; i++)
        {
            served.Add((await h.RunImageAsync($"run_{i}")).Run.ServedProvider);
        }

        Assert.Equal(["a", "a", "b"], served);
        var refused = await h.Ledger.GetAttemptsAsync("run_2", TestContext.Current.CancellationToken);
        Assert.Equal(SkipReason.LocalRateLimit, refused[0].SkipReason);
        Assert.Equal(3, a.Calls);
    }

    [Fact]
    public async Task TotalTimeout_BoundsRetriesOnOneProvider()
    {
        var a = new ScriptedProvider("a").ThenHang().ThenHang().ThenHang();
        var b = new ScriptedProvider("b");
        var h = new EngineHarness(
            ContentRejectedAction.Next,
            c => Retries(3)(c) with { Timeout = TimeSpan.FromSeconds(10), TotalTimeout = TimeSpan.FromSeconds(15) },
            a,
            b);

        var running = h.RunImageAsync();
        await a.Called.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        h.Time.Advance(TimeSpan.FromSeconds(10));
        var backoff = await h.Time.WaitForTimerAsync(d => d > TimeSpan.Zero && d <= TimeSpan.FromSeconds(1));
        h.Time.Advance(backoff);
        await a.CallReached(2).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        h.Time.Advance(TimeSpan.FromSeconds(6));
        var result = await running;

        Assert.Equal(2, a.Calls);
        Assert.Equal("b", result.Run.ServedProvider);
        var attempts = await h.Ledger.GetAttemptsAsync("run_1", TestContext.Current.CancellationToken);
        Assert.Equal(ErrorClass.Timeout, attempts[0].ErrorClass);
        Assert.Equal(ErrorClass.Timeout, attempts[1].ErrorClass);
    }
}
