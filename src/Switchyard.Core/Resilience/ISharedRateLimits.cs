using System.Threading.RateLimiting;

namespace Switchyard.Resilience;

/// <summary>
/// Makes per-minute rate limiters whose count is shared by every gateway process (Redis), so a limit
/// of N per minute holds for the whole deployment, not N per node. Without one, limits are per process.
/// </summary>
public interface ISharedRateLimits
{
    /// <summary>A limiter of <paramref name="permitsPerMinute"/> over a sliding minute, counted under <paramref name="scope"/> (e.g. <c>provider:openai</c>).</summary>
    /// <param name="scope">What is limited; the same scope on every node shares one count.</param>
    /// <param name="permitsPerMinute">The limit.</param>
    /// <param name="queueLimit">How many acquisitions may wait for a permit at once (0: refuse at once).</param>
    RateLimiter PerMinute(string scope, int permitsPerMinute, int queueLimit);
}
