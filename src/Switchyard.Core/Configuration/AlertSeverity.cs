namespace Switchyard.Configuration;

/// <summary>How urgent a firing alert is.</summary>
public enum AlertSeverity
{
    /// <summary>Worth a look soon.</summary>
    Warning,

    /// <summary>Worth waking someone.</summary>
    Critical,
}
