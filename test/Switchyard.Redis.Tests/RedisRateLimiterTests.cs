using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Switchyard.Redis.Tests;

/// <summary>The shared per-minute limiter against a real Redis: one count for every node.</summary>
public sealed class RedisRateLimiterTests
{
    private static string Scope() => "test:" + Guid.NewGuid().ToString("N");

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    private static RedisRateLimits Limits(RedisConnection connection, TimeProvider time) =>
        new(connection, time, NullLogger<RedisRateLimiter>.Instance);

    [Fact]
    public async Task TwoNodes_ShareOneCount_TheLimitHoldsAcrossBoth()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        await using var nodeA = new RedisConnection(url);
        await using var nodeB = new RedisConnection(url);
        var time = Clock();
        var scope = Scope();
        using var limiterA = Limits(nodeA, time).PerMinute(scope, 5, 0);
        using var limiterB = Limits(nodeB, time).PerMinute(scope, 5, 0);

        var granted = 0;
        for (var i = 0; i < 6; i++)
        {
            using var a = await limiterA.AcquireAsync(1, ct);
            using var b = await limiterB.AcquireAsync(1, ct);
            granted += (a.IsAcquired ? 1 : 0) + (b.IsAcquired ? 1 : 0);
        }

        Assert.Equal(5, granted);
    }

    [Fact]
    public async Task OverTheLimit_RefusedWithRetryAfter_ThenTheWindowSlides()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new RedisConnection(await RedisServer.GetUrlAsync());
        var time = Clock();
        using var limiter = Limits(connection, time).PerMinute(Scope(), 3, 0);
        for (var i = 0; i < 3; i++)
        {
            using var lease = await limiter.AcquireAsync(1, ct);
            Assert.True(lease.IsAcquired);
        }

        using var refused = await limiter.AcquireAsync(1, ct);
        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        Assert.Equal(TimeSpan.FromMinutes(1), retryAfter); // all three in the current minute: it frees when the minute ends

        // Half a minute into the next minute, half of the previous minute's 3 still count: 1.5 + 1 <= 3.
        time.Advance(TimeSpan.FromSeconds(90));
        using var next = await limiter.AcquireAsync(1, ct);
        Assert.True(next.IsAcquired);
        using var tooMany = await limiter.AcquireAsync(1, ct);
        Assert.False(tooMany.IsAcquired); // 1.5 + 2 > 3
        time.Advance(TimeSpan.FromMinutes(2));
        using var later = await limiter.AcquireAsync(1, ct);
        Assert.True(later.IsAcquired);
    }

    [Fact]
    public async Task WithQueue_AWaiterGetsThePermitWhenTheWindowFrees()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new RedisConnection(await RedisServer.GetUrlAsync());
        var time = Clock();
        using var limiter = Limits(connection, time).PerMinute(Scope(), 1, 1);
        using var first = await limiter.AcquireAsync(1, ct);
        Assert.True(first.IsAcquired);

        var waiting = limiter.AcquireAsync(1, ct).AsTask();
        while (limiter.GetStatistics()!.CurrentQueuedCount < 1)
        {
            await Task.Delay(5, ct); // until the waiter has been refused once and queued
        }

        using var refused = await limiter.AcquireAsync(1, ct); // the queue of one is taken
        Assert.False(refused.IsAcquired);
        Assert.False(waiting.IsCompleted);

        for (var i = 0; i < 200 && !waiting.IsCompleted; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            await Task.Yield();
            await Task.WhenAny(waiting, Task.Delay(5, ct));
        }

        using var granted = await waiting;
        Assert.True(granted.IsAcquired);
        Assert.True(time.GetUtcNow() >= new DateTimeOffset(2026, 12, 1, 10, 1, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task RedisDown_LetsRequestsThrough()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var connection = new RedisConnection("redis://127.0.0.1:1");
        using var limiter = Limits(connection, Clock()).PerMinute(Scope(), 1, 0);

        using var first = await limiter.AcquireAsync(1, ct);
        using var second = await limiter.AcquireAsync(1, ct);

        Assert.True(first.IsAcquired && second.IsAcquired);
    }
}
