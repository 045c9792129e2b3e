namespace Switchyard.Ledger;

/// <summary>The answer to a stats question: the overall row and one row per group, largest first.</summary>
public sealed record StatsReport
{
    /// <summary>How the groups were formed.</summary>
    public required StatsGrouping By { get; init; }

    /// <summary>Every run of the window.</summary>
    public required StatsGroup Overall { get; init; }

    /// <summary>The groups: most runs first, then by name, the null group last. Empty for <see cref="StatsGrouping.None"/>.</summary>
    public required IReadOnlyList<StatsGroup> Groups { get; init; }
}
