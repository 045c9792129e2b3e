namespace Switchyard.Alerts;

/// <summary>Where a rule stands.</summary>
public enum AlertState
{
    /// <summary>Has not fired since start.</summary>
    Ok,

    /// <summary>Its condition holds (for at least its <c>for</c>).</summary>
    Firing,

    /// <summary>Fired and has since stopped.</summary>
    Resolved,
}
