using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace Switchyard.Keys;

/// <summary>
/// Per-key limits counted in this process: a token bucket <see cref="RateLimiter"/> for requests per minute (a full
/// minute's worth may come at once, then one more every <c>60s/rpm</c>), a <see cref="ConcurrencyLimiter"/> without a
/// queue, and a count of the UTC day's runs that starts from <see cref="IKeyRunCounter"/> (the ledger) the first time
/// a key is seen, so a restart does not reset it. Buckets refill on <see cref="TimeProvider"/> time.
/// </summary>
public sealed class InProcessKeyLimiter : IKeyLimiter, IDisposable
{
    private readonly ConcurrentDictionary<string, KeyState> _keys = new(StringComparer.Ordinal);
    private readonly IKeyRunCounter _counter;
    private readonly TimeProvider _time;

    /// <summary>Creates a limiter whose daily counts start from <paramref name="counter"/>.</summary>
    public InProcessKeyLimiter(IKeyRunCounter counter, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(counter);
        ArgumentNullException.ThrowIfNull(time);
        _counter = counter;
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask<KeyAdmission> AdmitAsync(string key, KeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(limits);
        if (limits.RequestsPerMinute is null && limits.Concurrency is null && limits.DailyQuota is null)
        {
            return KeyAdmission.Unlimited;
        }

        var state = _keys.AddOrUpdate(
            key,
            static (_, arg) => new KeyState(arg.limits, arg.time),
            static (_, existing, arg) => existing.Limits.Equals(arg.limits) ? existing : existing.Replace(arg.limits, arg.time),
            (limits, time: _time));

        if (limits.DailyQuota is not null)
        {
            await state.EnsureDayAsync(key, _counter, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        }

        return state.TryAdmit(_time.GetUtcNow());
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var state in _keys.Values)
        {
            state.Dispose();
        }

        _keys.Clear();
    }

    private sealed class KeyState : IDisposable
    {
        private readonly Lock _lock = new();
        private readonly SemaphoreSlim _dayLoad = new(1, 1);
        private readonly RateLimiter? _rate;
        private readonly ConcurrencyLimiter? _concurrency;
        private DateOnly? _day;
        private int _dayCount;

        public KeyState(KeyLimits limits, TimeProvider time, DateOnly? day = null, int dayCount = 0)
        {
            Limits = limits;
            _day = day;
            _dayCount = dayCount;
            if (limits.RequestsPerMinute is { } rpm)
            {
                _rate = new TimeProviderTokenBucket(rpm, TimeSpan.FromTicks(Math.Max(1, TimeSpan.TicksPerMinute / rpm)), time);
            }

            if (limits.Concurrency is { } concurrency)
            {
                _concurrency = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = concurrency, QueueLimit = 0 });
            }
        }

        public KeyLimits Limits { get; }

        /// <summary>A state for changed limits that keeps the day's count (the minute and the slots start afresh).</summary>
        public KeyState Replace(KeyLimits limits, TimeProvider time)
        {
            lock (_lock)
            {
                return new KeyState(limits, time, _day, _dayCount);
            }
        }

        public async ValueTask EnsureDayAsync(string key, IKeyRunCounter counter, DateTimeOffset now, CancellationToken cancellationToken)
        {
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (_day == today)
            {
                return;
            }

            await _dayLoad.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_day == today)
                {
                    return;
                }

                // The first use today (in this process): the ledger knows what earlier processes admitted.
                // A day that rolls over while running starts at zero.
                var count = _day is null
                    ? await counter.CountRunsAsync(key, new DateTimeOffset(today.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), cancellationToken).ConfigureAwait(false)
                    : 0;
                lock (_lock)
                {
                    _dayCount = count;
                    _day = today;
                }
            }
            finally
            {
                _dayLoad.Release();
            }
        }

        public KeyAdmission TryAdmit(DateTimeOffset now)
        {
            lock (_lock)
            {
                var today = DateOnly.FromDateTime(now.UtcDateTime);
                if (Limits.DailyQuota is { } quota)
                {
                    if (_day != today)
                    {
                        _day = today;
                        _dayCount = 0;
                    }

                    if (_dayCount >= quota)
                    {
                        var midnight = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
                        return KeyAdmission.Refuse(KeyLimitKind.DailyQuota, quota, midnight - now);
                    }
                }

                RateLimitLease? token = null;
                if (_rate is not null)
                {
                    token = _rate.AttemptAcquire();
                    if (!token.IsAcquired)
                    {
                        var wait = token.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                        token.Dispose();
                        return KeyAdmission.Refuse(KeyLimitKind.RequestsPerMinute, Limits.RequestsPerMinute!.Value, wait);
                    }
                }

                RateLimitLease? slot = null;
                if (_concurrency is not null)
                {
                    slot = _concurrency.AttemptAcquire();
                    if (!slot.IsAcquired)
                    {
                        slot.Dispose();

                        // The minute's token stays spent: the request was made. No time is known for a slot to free.
                        token?.Dispose();
                        return KeyAdmission.Refuse(KeyLimitKind.Concurrency, Limits.Concurrency!.Value, TimeSpan.FromSeconds(1));
                    }
                }

                token?.Dispose();
                if (Limits.DailyQuota is not null)
                {
                    _dayCount++;
                }

                return KeyAdmission.Admit(slot);
            }
        }

        public void Dispose()
        {
            _rate?.Dispose();
            _concurrency?.Dispose();
            _dayLoad.Dispose();
        }
    }
}
