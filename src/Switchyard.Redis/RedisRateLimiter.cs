using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>
/// A sliding-window rate limiter whose count lives in Redis, shared by every node: the count of the
/// current minute plus the previous minute's weighted by how much of it still overlaps the window
/// (the approximation Cloudflare and others use), checked and incremented atomically by one script.
/// When Redis cannot be reached the limiter lets requests through (a limit is not worth an outage)
/// and logs a warning.
/// </summary>
public sealed partial class RedisRateLimiter : RateLimiter
{
    private const string Script = """
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
        local limit = tonumber(ARGV[1])
        local window = tonumber(ARGV[2])
        local elapsed = tonumber(ARGV[3])
        local permits = tonumber(ARGV[4])
        local weighted = previous * (window - elapsed) / window
        if weighted + current + permits <= limit then
          redis.call('INCRBY', KEYS[1], permits)
          redis.call('PEXPIRE', KEYS[1], window * 2)
          return -1
        end
        if current + permits > limit or previous == 0 then
          return window - elapsed
        end
        local free = window * (1 - (limit - current - permits) / previous)
        return math.max(1, math.ceil(free - elapsed))
        """;

    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly RedisConnection _connection;
    private readonly string _scope;
    private readonly int _limit;
    private readonly int _queueLimit;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private int _waiting;
    private long _successful;
    private long _failed;

    /// <summary>A limiter of <paramref name="permitsPerMinute"/> under <paramref name="scope"/>.</summary>
    public RedisRateLimiter(RedisConnection connection, string scope, int permitsPerMinute, int queueLimit, TimeProvider time, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(permitsPerMinute);
        _connection = connection;
        _scope = scope;
        _limit = permitsPerMinute;
        _queueLimit = queueLimit;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public override TimeSpan? IdleDuration => null;

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics() => new()
    {
        CurrentAvailablePermits = 0,
        CurrentQueuedCount = Volatile.Read(ref _waiting),
        TotalSuccessfulLeases = Interlocked.Read(ref _successful),
        TotalFailedLeases = Interlocked.Read(ref _failed),
    };

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(int permitCount) =>
        TryAcquireAsync(permitCount).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var lease = await TryAcquireAsync(permitCount).ConfigureAwait(false);
        if (lease.IsAcquired || _queueLimit <= 0)
        {
            return lease;
        }

        if (Interlocked.Increment(ref _waiting) > _queueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            return lease;
        }

        try
        {
            while (!lease.IsAcquired)
            {
                lease.TryGetMetadata(MetadataName.RetryAfter, out var wait);
                await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                lease = await TryAcquireAsync(permitCount).ConfigureAwait(false);
            }

            return lease;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private async ValueTask<RateLimitLease> TryAcquireAsync(int permitCount)
    {
        if (permitCount == 0)
        {
            return Lease.Acquired;
        }

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = (long)Window.TotalMilliseconds;
        var index = now / window;
        var elapsed = now - (index * window);
        long result;
        try
        {
            var database = await _connection.DatabaseAsync().ConfigureAwait(false);
            result = (long)await database.ScriptEvaluateAsync(
                Script,
                [Key(index), Key(index - 1)],
                [_limit, window, elapsed, permitCount]).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Log.LimiterUnavailable(_logger, _scope, ex.Message);
            Interlocked.Increment(ref _successful);
            return Lease.Acquired;
        }

        if (result < 0)
        {
            Interlocked.Increment(ref _successful);
            return Lease.Acquired;
        }

        Interlocked.Increment(ref _failed);
        return new Lease(false, TimeSpan.FromMilliseconds(result));
    }

    private RedisKey Key(long index) => string.Create(CultureInfo.InvariantCulture, $"{RedisConnection.Prefix}rate:{_scope}:{index}");

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

    private static partial class Log
    {
        [LoggerMessage(EventId = 900, EventName = "SharedLimiterUnavailable", Level = LogLevel.Warning, Message = "The shared rate limit {Scope} could not be checked in Redis ({Reason}); the request goes through")]
        public static partial void LimiterUnavailable(ILogger logger, string scope, string reason);
    }
}
