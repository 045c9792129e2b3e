using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>What <see cref="RedisProbe"/> found.</summary>
/// <param name="Ok">Whether Redis answered and a key could be written and read back.</param>
/// <param name="Detail">The round trip time, or why it failed (never the password).</param>
public sealed record RedisProbeResult(bool Ok, string Detail);

/// <summary>Checks a Redis URL the way the gateway uses it: connect, write a short-lived key, read it back.</summary>
public static class RedisProbe
{
    /// <summary>Probes <paramref name="url"/> within <paramref name="timeout"/>.</summary>
    public static async Task<RedisProbeResult> RunAsync(string url, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ConfigurationOptions options;
        try
        {
            options = RedisUrl.Parse(url);
        }
        catch (FormatException ex)
        {
            return new RedisProbeResult(false, ex.Message);
        }

        options.AbortOnConnectFail = true;
        options.ConnectRetry = 1;
        options.ConnectTimeout = (int)timeout.TotalMilliseconds;
        try
        {
            await using var multiplexer = await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            var database = multiplexer.GetDatabase();
            var key = RedisConnection.Prefix + "doctor:" + Guid.NewGuid().ToString("N");
            var latency = await database.PingAsync().ConfigureAwait(false);
            await database.StringSetAsync(key, "ok", TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            var back = await database.StringGetAsync(key).ConfigureAwait(false);
            await database.KeyDeleteAsync(key).ConfigureAwait(false);
            return back == "ok"
                ? new RedisProbeResult(true, $"reachable, read and write work ({latency.TotalMilliseconds:0.#} ms)")
                : new RedisProbeResult(false, "a key written could not be read back");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            var reason = ex.Message.Split('\n')[0];
            return new RedisProbeResult(false, reason.Length > 240 ? reason[..240] : reason);
        }
    }
}
