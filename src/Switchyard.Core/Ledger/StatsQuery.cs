namespace Switchyard.Ledger;

/// <summary>The window and scope of a stats question.</summary>
public sealed record StatsQuery
{
    /// <summary>Runs started at or after.</summary>
    public required DateTimeOffset Since { get; init; }

    /// <summary>Runs started before, or null for now.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>Only runs of this key.</summary>
    public string? KeyId { get; init; }
}
