namespace Switchyard.Alerts;

/// <summary>Where <c>circuit_open</c> rules read circuit state from.</summary>
public interface ICircuitStates
{
    /// <summary>Since when the provider's circuit has been away from closed (open or half-open), or null when closed.</summary>
    DateTimeOffset? OpenSince(string provider);
}
