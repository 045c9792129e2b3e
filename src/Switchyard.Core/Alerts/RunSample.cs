using Switchyard.Generation;

namespace Switchyard.Alerts;

/// <summary>What the alert rules need of one finished run.</summary>
public sealed record RunSample
{
    /// <summary>When it finished, on the gateway's clock.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>Its route.</summary>
    public required string Route { get; init; }

    /// <summary>How it ended.</summary>
    public required RunOutcome Outcome { get; init; }

    /// <summary>Whether the placeholder served it.</summary>
    public bool ServedByPlaceholder { get; init; }

    /// <summary>The error class that failed it, if it failed.</summary>
    public ErrorClass? ErrorClass { get; init; }

    /// <summary>Its attempts, in order.</summary>
    public IReadOnlyList<AttemptSample> Attempts { get; init; } = [];
}
