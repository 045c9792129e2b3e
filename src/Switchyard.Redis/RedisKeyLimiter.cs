using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Switchyard.Keys;

namespace Switchyard.Redis;

/// <summary>
/// Per-key limits shared by every node through Redis: requests per minute in the shared sliding
/// window of <see cref="RedisRateLimits"/>, and runs per UTC day in one Redis counter per key and day
/// (started from the ledger's count the first time a day is seen, so a restart resets nothing).
/// Requests at once stay per node, like the providers' concurrency limits. When Redis cannot be
/// reached the shared limits let requests through and a warning is logged.
/// </summary>
public sealed partial class RedisKeyLimiter : IKeyLimiter, IDisposable
{
    // Seeds the day's counter (when missing) from the ledger's count, then takes one run if the quota allows.
    private const string QuotaScript = """
        if redis.call('EXISTS', KEYS[1]) == 0 then
          redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
        end
        local used = redis.call('INCR', KEYS[1])
        if used > tonumber(ARGV[1]) then
          redis.call('DECR', KEYS[1])
          return -1
        end
        return used
        """;

    private readonly InProcessKeyLimiter _local;
    private readonly RedisConnection _connection;
    private readonly RedisRateLimits _rates;
    private readonly IKeyRunCounter _counter;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisKeyLimiter> _logger;
    private readonly ConcurrentDictionary<(string Key, int Rpm), RateLimiter> _minute = new();

    /// <summary>Shares rpm and daily quotas through <paramref name="connection"/>; concurrency is counted by <paramref name="local"/>, which this limiter owns and disposes.</summary>
    public RedisKeyLimiter(InProcessKeyLimiter local, RedisConnection connection, RedisRateLimits rates, IKeyRunCounter counter, TimeProvider time, ILogger<RedisKeyLimiter> logger)
    {
        _local = local;
        _connection = connection;
        _rates = rates;
        _counter = counter;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public async ValueTask<KeyAdmission> AdmitAsync(string key, KeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(limits);

        // Requests at once, in this process; the shared counts are taken only for a request that gets a slot.
        var admission = await _local.AdmitAsync(key, limits with { RequestsPerMinute = null, DailyQuota = null }, cancellationToken).ConfigureAwait(false);
        if (!admission.Admitted)
        {
            return admission;
        }

        if (limits.RequestsPerMinute is { } rpm)
        {
            var limiter = _minute.GetOrAdd((key, rpm), k => _rates.PerMinute("key:" + k.Key, k.Rpm, 0));
            using var lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                admission.Dispose();
                var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                return KeyAdmission.Refuse(KeyLimitKind.RequestsPerMinute, rpm, wait);
            }
        }

        if (limits.DailyQuota is { } quota && !await TakeFromDayAsync(key, quota, cancellationToken).ConfigureAwait(false))
        {
            admission.Dispose();
            var now = _time.GetUtcNow();
            var midnight = new DateTimeOffset(DateOnly.FromDateTime(now.UtcDateTime).AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return KeyAdmission.Refuse(KeyLimitKind.DailyQuota, quota, midnight - now);
        }

        return admission;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var limiter in _minute.Values)
        {
            limiter.Dispose();
        }

        _local.Dispose();
    }

    private async ValueTask<bool> TakeFromDayAsync(string key, int quota, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var day = DateOnly.FromDateTime(now.UtcDateTime);
        var dayKey = string.Create(CultureInfo.InvariantCulture, $"{RedisConnection.Prefix}quota:{key}:{day:yyyy-MM-dd}");
        try
        {
            var database = await _connection.DatabaseAsync().ConfigureAwait(false);
            var seed = await database.KeyExistsAsync(dayKey).ConfigureAwait(false)
                ? 0
                : await _counter.CountRunsAsync(key, new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero), cancellationToken).ConfigureAwait(false);
            var used = (long)await database.ScriptEvaluateAsync(QuotaScript, [dayKey], [quota, seed, (long)TimeSpan.FromDays(2).TotalSeconds]).ConfigureAwait(false);
            return used >= 0;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Log.QuotaUnavailable(_logger, key, ex.Message);
            return true;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 903, EventName = "SharedQuotaUnavailable", Level = LogLevel.Warning, Message = "The daily quota of key {KeyId} could not be checked in Redis ({Reason}); the request goes through")]
        public static partial void QuotaUnavailable(ILogger logger, string keyId, string reason);
    }
}
