using System.Collections.Concurrent;
using Switchyard.Configuration;
using Switchyard.Providers;

namespace Switchyard.Resilience;

/// <summary>
/// Whether a provider is usable, and if not, why: its adapter's readiness, secrets the config
/// references that are missing, or credentials the provider just rejected (401/403). A provider
/// that rejected its credentials is flagged misconfigured for its circuit's break duration: its
/// attempts are skipped with that reason (no call that would fail the same way), and readiness
/// and the ledger show why.
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

    /// <summary>Why the provider cannot be used right now (naming what to fix), or null when it can.</summary>
    public string? Problem(IGenerationProvider provider)
    {
        if (_config.Providers.TryGetValue(provider.Name, out var config) && config.MissingSecrets.Count > 0)
        {
            return $"missing environment variable{(config.MissingSecrets.Count > 1 ? "s" : "")} {string.Join(", ", config.MissingSecrets)} (referenced by providers.{provider.Name}); set it and restart";
        }

        if (!provider.Readiness.IsReady)
        {
            return provider.Readiness.Problem;
        }

        return AuthProblem(provider.Name);
    }

    private string? AuthProblem(string provider)
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
