using Switchyard.Configuration;

namespace Switchyard.Alerts;

/// <summary>A rule moving to firing or resolved: logged, kept in the history and sent as a webhook.</summary>
public sealed record AlertTransition
{
    /// <summary>The rule.</summary>
    public required AlertRuleConfig Rule { get; init; }

    /// <summary>The state it left.</summary>
    public required AlertState From { get; init; }

    /// <summary>The state it entered (<see cref="AlertState.Firing"/> or <see cref="AlertState.Resolved"/>).</summary>
    public required AlertState To { get; init; }

    /// <summary>When.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The value that decided it (null: no verdict, e.g. too few runs left in the window).</summary>
    public double? Value { get; init; }

    /// <summary>The webhook event type: <c>alert.firing</c> or <c>alert.resolved</c>.</summary>
    public string EventType => To == AlertState.Firing ? "alert.firing" : "alert.resolved";
}
