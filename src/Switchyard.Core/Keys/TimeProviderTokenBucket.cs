using System.Threading.RateLimiting;

namespace Switchyard.Keys;

/// <summary>
/// A token bucket <see cref="RateLimiter"/> on <see cref="TimeProvider"/> time: <c>limit</c> tokens, one more every
/// <c>period</c>, no queue. The bucket limiters of System.Threading.RateLimiting read the Stopwatch even when
/// replenished by hand, so they cannot run on a test's fake clock; this one can, and its failed leases carry an
/// exact <see cref="MetadataName.RetryAfter"/>.
/// </summary>
internal sealed class TimeProviderTokenBucket : RateLimiter
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _limit;
    private readonly long _periodTicks;
    private double _tokens;
    private DateTimeOffset _updated;
    private DateTimeOffset? _idleSince;
    private long _successes;
    private long _failures;

    public TimeProviderTokenBucket(int limit, TimeSpan period, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(period, TimeSpan.Zero);
        _limit = limit;
        _periodTicks = period.Ticks;
        _time = time;
        _tokens = limit;
        _updated = time.GetUtcNow();
        _idleSince = _updated;
    }

    public override TimeSpan? IdleDuration
    {
        get
        {
            lock (_lock)
            {
                Refill();
                return _tokens >= _limit ? _time.GetUtcNow() - (_idleSince ?? _updated) : null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            Refill();
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = (long)Math.Floor(_tokens),
                CurrentQueuedCount = 0,
                TotalSuccessfulLeases = _successes,
                TotalFailedLeases = _failures,
            };
        }
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, _limit);
        lock (_lock)
        {
            Refill();
            if (permitCount == 0 || _tokens >= permitCount)
            {
                _tokens -= permitCount;
                _idleSince = null;
                _successes++;
                return Lease.Acquired;
            }

            _failures++;
            var missing = permitCount - _tokens;
            return new Lease(false, TimeSpan.FromTicks((long)Math.Ceiling(missing * _periodTicks)));
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(permitCount));

    // Adds the tokens earned since the last look, up to the limit.
    private void Refill()
    {
        var now = _time.GetUtcNow();
        var elapsed = (now - _updated).Ticks;
        if (elapsed <= 0)
        {
            return;
        }

        _tokens = Math.Min(_limit, _tokens + ((double)elapsed / _periodTicks));
        _updated = now;
        if (_tokens >= _limit)
        {
            _idleSince ??= now;
        }
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            if (retryAfter is { } after && metadataName == MetadataName.RetryAfter.Name)
            {
                metadata = after;
                return true;
            }

            metadata = null;
            return false;
        }
    }
}
