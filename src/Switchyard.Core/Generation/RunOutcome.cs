namespace Switchyard.Generation;

/// <summary>How a run (one client request) ended.</summary>
public enum RunOutcome
{
    /// <summary>Served by the first tier that was usable.</summary>
    Success,

    /// <summary>Served by a later tier or the placeholder.</summary>
    Degraded,

    /// <summary>Not served.</summary>
    Failed,
}
