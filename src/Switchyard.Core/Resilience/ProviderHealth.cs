using System.Collections.Concurrent;
using Switchyard.Configuration;

namespace Switchyard.Resilience;

/// <summary>
/// Providers whose credentials were just rejected (401/403). Such a provider is flagged
/// misconfigured for its circuit's break duration: its attempts are skipped with that reason
/// (no call that would fail the same way), and health and readiness show why.
/// </summary>
public sealed class ProviderHealth
{
    private readonly ConcurrentDictionary<string, AuthFlag> _flags = new(StringComparer.Ordinal);
    private readonly SwitchyardConfig _config;
    private readonly TimeProvider _time;

    /// <summary>Creates the tracker.</summary>
    public ProviderHealth(SwitchyardConfig config, TimeProvider time)
    {
        _config = config;
        _time = time;
    }

    /// <summary>Records that the provider rejected its credentials.</summary>
    public void FlagAuthFailure(string provider, string message)
    {
        var until = _time.GetUtcNow() + _config.Providers[provider].CircuitBreaker.Break;
        _flags[provider] = new AuthFlag(message, until);
    }

    /// <summary>Why the provider is flagged right now, or null.</summary>
    public string? Problem(string provider)
    {
        if (!_flags.TryGetValue(provider, out var flag))
        {
            return null;
        }

        if (_time.GetUtcNow() >= flag.Until)
        {
            _flags.TryRemove(new KeyValuePair<string, AuthFlag>(provider, flag));
            return null;
        }

        return $"the provider rejected its credentials ({flag.Message}); check its api_key; tried again after {flag.Until:HH:mm:ss} UTC";
    }

    private sealed record AuthFlag(string Message, DateTimeOffset Until);
}
