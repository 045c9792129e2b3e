using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Keys;

namespace Switchyard.Redis.Tests;

/// <summary>Per-key limits shared through a real Redis: one count for the key on every node.</summary>
public sealed class RedisKeyLimiterTests
{
    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    private static string Key() => "key_" + Guid.NewGuid().ToString("N")[..12];

    private static RedisKeyLimiter Node(RedisConnection connection, TimeProvider time, int ledgerCount = 0)
    {
        var counter = new FixedCounter(ledgerCount);
        return new RedisKeyLimiter(
            new InProcessKeyLimiter(counter, time),
            connection,
            new RedisRateLimits(connection, time, NullLogger<RedisRateLimiter>.Instance),
            counter,
            time,
            NullLogger<RedisKeyLimiter>.Instance);
    }

    [Fact]
    public async Task RequestsPerMinute_HoldAcrossTwoNodes()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        await using var a = new RedisConnection(url);
        await using var b = new RedisConnection(url);
        var time = Clock();
        using var nodeA = Node(a, time);
        using var nodeB = Node(b, time);
        var key = Key();
        var limits = new KeyLimits { RequestsPerMinute = 3 };

        var answers = new List<KeyAdmission>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await nodeA.AdmitAsync(key, limits, ct));
            answers.Add(await nodeB.AdmitAsync(key, limits, ct));
        }

        Assert.Equal(3, answers.Count(x => x.Admitted));
        var refused = answers.First(x => !x.Admitted);
        Assert.Equal((KeyLimitKind.RequestsPerMinute, (int?)3), (refused.RefusedBy, refused.Limit));
        Assert.True(refused.RetryAfter > TimeSpan.Zero);
    }

    [Fact]
    public async Task DailyQuota_StartsFromTheLedgerCountAndHoldsAcrossNodes_UntilMidnight()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        await using var a = new RedisConnection(url);
        await using var b = new RedisConnection(url);
        var time = Clock();
        using var nodeA = Node(a, time, ledgerCount: 3);
        using var nodeB = Node(b, time, ledgerCount: 3);
        var key = Key();
        var limits = new KeyLimits { DailyQuota = 5 };

        Assert.True((await nodeA.AdmitAsync(key, limits, ct)).Admitted); // 4 of 5
        Assert.True((await nodeB.AdmitAsync(key, limits, ct)).Admitted); // 5 of 5
        var refused = await nodeA.AdmitAsync(key, limits, ct);
        Assert.Equal(KeyLimitKind.DailyQuota, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromHours(14), refused.RetryAfter);
        Assert.False((await nodeB.AdmitAsync(key, limits, ct)).Admitted);

        time.Advance(TimeSpan.FromHours(14));
        Assert.True((await nodeB.AdmitAsync(key, limits, ct)).Admitted); // a new day (its ledger count is the fake's 3)
    }

    [Fact]
    public async Task Concurrency_StaysPerNode_AndARefusedRequestTakesNoSharedCount()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        await using var a = new RedisConnection(url);
        var time = Clock();
        using var nodeA = Node(a, time);
        var key = Key();
        var limits = new KeyLimits { Concurrency = 1, RequestsPerMinute = 2 };

        using var first = await nodeA.AdmitAsync(key, limits, ct);
        using var busy = await nodeA.AdmitAsync(key, limits, ct);
        Assert.True(first.Admitted);
        Assert.Equal(KeyLimitKind.Concurrency, busy.RefusedBy);

        first.Dispose();
        using var second = await nodeA.AdmitAsync(key, limits, ct);
        Assert.True(second.Admitted); // the refused one did not spend the minute's second request
    }

    [Fact]
    public async Task RedisDown_LetsRequestsThrough()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var down = new RedisConnection("redis://127.0.0.1:1");
        using var node = Node(down, Clock());

        var admission = await node.AdmitAsync(Key(), new KeyLimits { RequestsPerMinute = 1, DailyQuota = 1 }, ct);

        Assert.True(admission.Admitted);
    }

    private sealed class FixedCounter(int count) : IKeyRunCounter
    {
        public ValueTask<int> CountRunsAsync(string keyId, DateTimeOffset since, CancellationToken cancellationToken) => ValueTask.FromResult(count);
    }
}
