using Switchyard.Generation;

namespace Switchyard.Configuration;

/// <summary>One entry under <c>alerts.rules</c>.</summary>
public sealed record AlertRuleConfig
{
    /// <summary>Its name (the key under <c>alerts.rules</c>).</summary>
    public required string Name { get; init; }

    /// <summary>What it watches.</summary>
    public required AlertKind Kind { get; init; }

    /// <summary>How urgent it is when firing.</summary>
    public AlertSeverity Severity { get; init; } = AlertSeverity.Warning;

    /// <summary>Only runs of this route count (null: every route).</summary>
    public string? Route { get; init; }

    /// <summary>Only attempts on this provider count (null: whole runs); required for <see cref="AlertKind.CircuitOpen"/>.</summary>
    public string? Provider { get; init; }

    /// <summary>The error class an <see cref="AlertKind.ErrorRate"/> rule counts.</summary>
    public ErrorClass? ErrorClass { get; init; }

    /// <summary>Fires when the value is below this (0 to 1), for <see cref="AlertKind.SuccessRate"/>.</summary>
    public double? Below { get; init; }

    /// <summary>Fires when the value is above this (0 to 1), for <see cref="AlertKind.ErrorRate"/> and <see cref="AlertKind.PlaceholderShare"/>.</summary>
    public double? Above { get; init; }

    /// <summary>The sliding window the value is computed over (zero for <see cref="AlertKind.CircuitOpen"/>).</summary>
    public TimeSpan Window { get; init; }

    /// <summary>How long the condition must hold before the rule fires (for <see cref="AlertKind.CircuitOpen"/>: how long the circuit must have been open).</summary>
    public TimeSpan For { get; init; }

    /// <summary>The threshold the value is compared with, whichever side it is on.</summary>
    public double? Threshold => Kind switch
    {
        AlertKind.CircuitOpen => For.TotalSeconds,
        AlertKind.QueueAge => OlderThan?.TotalSeconds,
        _ => Below ?? Above,
    };

    /// <summary>For <c>queue_age</c>: how long the oldest ready job item may wait (its <c>above</c>).</summary>
    public TimeSpan? OlderThan { get; init; }
}
