using Switchyard.Configuration;

namespace Switchyard.Alerts;

/// <summary>A rule's current state, as <c>GET /v1/alerts</c> shows it.</summary>
public sealed record AlertStatus
{
    /// <summary>The rule.</summary>
    public required AlertRuleConfig Rule { get; init; }

    /// <summary>Its state.</summary>
    public required AlertState State { get; init; }

    /// <summary>The value at the last evaluation (a share from 0 to 1; seconds open for circuit rules); null when there was no verdict.</summary>
    public double? Value { get; init; }

    /// <summary>Since when it has been in <see cref="State"/>.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>When it was last evaluated (null: not yet).</summary>
    public DateTimeOffset? LastEvaluated { get; init; }
}
