using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Switchyard.Resilience;

namespace Switchyard.Redis;

/// <summary>Shared per-minute limits counted in Redis.</summary>
public sealed class RedisRateLimits : ISharedRateLimits
{
    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;
    private readonly ILogger<RedisRateLimiter> _logger;

    /// <summary>Counts in <paramref name="connection"/>'s Redis.</summary>
    public RedisRateLimits(RedisConnection connection, TimeProvider time, ILogger<RedisRateLimiter> logger)
    {
        _connection = connection;
        _time = time;
        _logger = logger;
    }

    /// <inheritdoc />
    public RateLimiter PerMinute(string scope, int permitsPerMinute, int queueLimit) =>
        new RedisRateLimiter(_connection, scope, permitsPerMinute, queueLimit, _time, _logger);
}
