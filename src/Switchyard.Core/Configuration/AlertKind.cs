namespace Switchyard.Configuration;

/// <summary>What an alert rule watches.</summary>
public enum AlertKind
{
    /// <summary>The share of served runs (or successful attempts on a provider) falls below <c>below</c>.</summary>
    SuccessRate,

    /// <summary>The share of runs (or attempts on a provider) that met an error class rises above <c>above</c>.</summary>
    ErrorRate,

    /// <summary>A provider's circuit has been open (or half-open) for at least <c>for</c>.</summary>
    CircuitOpen,

    /// <summary>The share of runs served by the placeholder rises above <c>above</c>.</summary>
    PlaceholderShare,

    /// <summary>The oldest job item ready to run has waited longer than <c>above</c> (a duration).</summary>
    QueueAge,
}
