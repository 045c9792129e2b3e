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

    /// <summary>Its per-key limits.</summary>
    public KeyLimits Limits { get; init; } = KeyLimits.None;

    /// <summary>After a rotation: the prefix of the secret it replaced, which works until <see cref="PreviousExpiresAt"/>.</summary>
    public string? PreviousPrefix { get; init; }

    /// <summary>After a rotation: SHA-256 of the secret it replaced.</summary>
    public byte[]? PreviousHash { get; init; }

    /// <summary>After a rotation: when the replaced secret stops working.</summary>
    public DateTimeOffset? PreviousExpiresAt { get; init; }
}
