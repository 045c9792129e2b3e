namespace Switchyard.Resilience;

/// <summary>A change of a provider's circuit state.</summary>
/// <param name="Provider">The provider.</param>
/// <param name="State">The new state: open, half_open or closed.</param>
/// <param name="At">When it changed.</param>
public sealed record CircuitTransition(string Provider, string State, DateTimeOffset At);
