namespace Switchyard.Keys;

/// <summary>
/// Enforces each key's <see cref="KeyLimits"/> (requests per minute, requests at once, runs per UTC day)
/// before a request reaches the engine. <see cref="InProcessKeyLimiter"/> counts in this process; a
/// shared implementation (Redis) makes the limits hold across several nodes.
/// </summary>
public interface IKeyLimiter
{
    /// <summary>
    /// Admits one request of <paramref name="key"/> or refuses it. An admitted request counts toward the
    /// minute and the day at once and holds a concurrency slot until the admission is disposed.
    /// </summary>
    ValueTask<KeyAdmission> AdmitAsync(string key, KeyLimits limits, CancellationToken cancellationToken);
}
