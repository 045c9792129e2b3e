namespace Switchyard.Generation;

/// <summary>Why an attempt was not made. The wire names are part of the contract.</summary>
public enum SkipReason
{
    /// <summary>The provider's circuit breaker is open.</summary>
    CircuitOpen,

    /// <summary>The provider lacks a secret, binding or base URL.</summary>
    Misconfigured,

    /// <summary>The provider lacks the modality, size or option.</summary>
    NotCapable,

    /// <summary>The local rate or concurrency limit is saturated.</summary>
    LocalRateLimit,

    /// <summary>A spending budget is exhausted.</summary>
    BudgetExceeded,

    /// <summary>Served from the result cache.</summary>
    CacheHit,
}
