using Switchyard.Generation;

namespace Switchyard.Resilience;

/// <summary>What one try on a provider produced, as the resilience pipeline sees it: the failure (if any) drives retries and the circuit breaker.</summary>
public interface ITryOutcome
{
    /// <summary>The failure, or null when the try produced usable output.</summary>
    ProviderFailure? Failure { get; }
}

/// <summary>The result of one try: usable output, or the failure it met.</summary>
/// <typeparam name="T">The output type.</typeparam>
/// <param name="Output">The output when it succeeded.</param>
/// <param name="Failure">The failure when it did not.</param>
public sealed record TryOutcome<T>(T? Output, ProviderFailure? Failure) : ITryOutcome
    where T : class;
