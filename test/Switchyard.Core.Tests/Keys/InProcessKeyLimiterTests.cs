using Microsoft.Extensions.Time.Testing;
using Switchyard.Keys;

namespace Switchyard.Core.Tests.Keys;

public sealed class InProcessKeyLimiterTests
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 10, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AdmitAsync_NoLimits_AlwaysAdmitsWithoutCounting()
    {
        var counter = new CountingSource(0);
        using var limiter = new InProcessKeyLimiter(counter, new FakeTimeProvider(Noon));

        for (var i = 0; i < 100; i++)
        {
            using var admission = await limiter.AdmitAsync("key_a", KeyLimits.None, Ct);
            Assert.True(admission.Admitted);
        }

        Assert.Equal(0, counter.Calls);
    }

    [Fact]
    public async Task AdmitAsync_Rpm_RefusesAfterBurstThenRefillsOnePerPeriod()
    {
        var time = new FakeTimeProvider(Noon);
        using var limiter = new InProcessKeyLimiter(new CountingSource(0), time);
        var limits = new KeyLimits { RequestsPerMinute = 3 };

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        }

        var refused = await limiter.AdmitAsync("key_a", limits, Ct);
        Assert.False(refused.Admitted);
        Assert.Equal(KeyLimitKind.RequestsPerMinute, refused.RefusedBy);
        Assert.Equal(3, refused.Limit);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);

        time.Advance(TimeSpan.FromSeconds(15));
        var stillRefused = await limiter.AdmitAsync("key_a", limits, Ct);
        Assert.False(stillRefused.Admitted);
        Assert.Equal(TimeSpan.FromSeconds(5), stillRefused.RetryAfter);

        time.Advance(TimeSpan.FromSeconds(5));
        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.False((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
    }

    [Fact]
    public async Task AdmitAsync_Rpm_KeysAreIndependent()
    {
        using var limiter = new InProcessKeyLimiter(new CountingSource(0), new FakeTimeProvider(Noon));
        var limits = new KeyLimits { RequestsPerMinute = 1 };

        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.False((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.True((await limiter.AdmitAsync("key_b", limits, Ct)).Admitted);
    }

    [Fact]
    public async Task AdmitAsync_Rpm_LongIdleRefillsToTheLimitOnly()
    {
        var time = new FakeTimeProvider(Noon);
        using var limiter = new InProcessKeyLimiter(new CountingSource(0), time);
        var limits = new KeyLimits { RequestsPerMinute = 2 };
        await limiter.AdmitAsync("key_a", limits, Ct);
        await limiter.AdmitAsync("key_a", limits, Ct);

        time.Advance(TimeSpan.FromHours(3));

        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.False((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
    }

    [Fact]
    public async Task AdmitAsync_Concurrency_RefusesWhileSlotsHeldAndAdmitsAfterRelease()
    {
        using var limiter = new InProcessKeyLimiter(new CountingSource(0), new FakeTimeProvider(Noon));
        var limits = new KeyLimits { Concurrency = 2 };

        var first = await limiter.AdmitAsync("key_a", limits, Ct);
        var second = await limiter.AdmitAsync("key_a", limits, Ct);
        var third = await limiter.AdmitAsync("key_a", limits, Ct);

        Assert.True(first.Admitted);
        Assert.True(second.Admitted);
        Assert.False(third.Admitted);
        Assert.Equal(KeyLimitKind.Concurrency, third.RefusedBy);
        Assert.True(third.RetryAfter > TimeSpan.Zero);

        first.Dispose();
        first.Dispose();
        using var fourth = await limiter.AdmitAsync("key_a", limits, Ct);
        Assert.True(fourth.Admitted);
        Assert.False((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        second.Dispose();
    }

    [Fact]
    public async Task AdmitAsync_DailyQuota_StartsFromLedgerCountAndResetsAtUtcMidnight()
    {
        var time = new FakeTimeProvider(Noon);
        var counter = new CountingSource(8);
        using var limiter = new InProcessKeyLimiter(counter, time);
        var limits = new KeyLimits { DailyQuota = 10 };

        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        var refused = await limiter.AdmitAsync("key_a", limits, Ct);

        Assert.False(refused.Admitted);
        Assert.Equal(KeyLimitKind.DailyQuota, refused.RefusedBy);
        Assert.Equal(TimeSpan.FromHours(12), refused.RetryAfter);
        Assert.Equal(1, counter.Calls);
        Assert.Equal(("key_a", new DateTimeOffset(2026, 3, 10, 0, 0, 0, TimeSpan.Zero)), counter.Asked.Single());

        time.Advance(TimeSpan.FromHours(12));
        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        Assert.Equal(1, counter.Calls);
    }

    [Fact]
    public async Task AdmitAsync_RefusedByRpm_DoesNotUseQuota()
    {
        var time = new FakeTimeProvider(Noon);
        using var limiter = new InProcessKeyLimiter(new CountingSource(0), time);
        var limits = new KeyLimits { RequestsPerMinute = 1, DailyQuota = 2 };

        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(KeyLimitKind.RequestsPerMinute, (await limiter.AdmitAsync("key_a", limits, Ct)).RefusedBy);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await limiter.AdmitAsync("key_a", limits, Ct)).Admitted);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(KeyLimitKind.DailyQuota, (await limiter.AdmitAsync("key_a", limits, Ct)).RefusedBy);
    }

    [Fact]
    public async Task AdmitAsync_LimitsChanged_NewLimitAppliesAndDayCountIsKept()
    {
        using var limiter = new InProcessKeyLimiter(new CountingSource(0), new FakeTimeProvider(Noon));
        await limiter.AdmitAsync("key_a", new KeyLimits { DailyQuota = 5, RequestsPerMinute = 1 }, Ct);
        await limiter.AdmitAsync("key_a", new KeyLimits { DailyQuota = 5, RequestsPerMinute = 1 }, Ct);

        var raised = new KeyLimits { DailyQuota = 2, RequestsPerMinute = 100 };

        Assert.True((await limiter.AdmitAsync("key_a", raised, Ct)).Admitted);
        Assert.Equal(KeyLimitKind.DailyQuota, (await limiter.AdmitAsync("key_a", raised, Ct)).RefusedBy);
    }

    [Fact]
    public async Task AdmitAsync_ConcurrentFirstUse_CountsFromLedgerOnce()
    {
        var counter = new CountingSource(0);
        using var limiter = new InProcessKeyLimiter(counter, new FakeTimeProvider(Noon));
        var limits = new KeyLimits { DailyQuota = 50 };

        var admissions = await Task.WhenAll(Enumerable.Range(0, 80).Select(_ => Task.Run(async () => await limiter.AdmitAsync("key_a", limits, Ct), Ct)));

        Assert.Equal(50, admissions.Count(a => a.Admitted));
        Assert.Equal(1, counter.Calls);
    }

    private sealed class CountingSource(int count) : IKeyRunCounter
    {
        private int _calls;

        public int Calls => _calls;

        public List<(string, DateTimeOffset)> Asked { get; } = [];

        public async ValueTask<int> CountRunsAsync(string keyId, DateTimeOffset since, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            lock (Asked)
            {
                Asked.Add((keyId, since));
            }

            await Task.Yield();
            return count;
        }
    }
}
