namespace Switchyard.Keys;

/// <summary>A stored API key: never the key itself, only its public prefix and hash.</summary>
public sealed record ApiKeyRecord
{
    /// <summary>Its id (shown in the ledger as the run's key).</summary>
    public required string Id { get; init; }

    /// <summary>A human name.</summary>
    public required string Name { get; init; }

    /// <summary>The public part of the key used for lookup.</summary>
    public required string Prefix { get; init; }

    /// <summary>SHA-256 of the whole key.</summary>
    public required byte[] Hash { get; init; }

    /// <summary>Whether it reaches admin APIs.</summary>
    public bool IsAdmin { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When it was revoked, if it was.</summary>
    public DateTimeOffset? RevokedAt { get; init; }
}
