namespace Switchyard.Artifacts;

/// <summary>Facts about a stored artifact.</summary>
public sealed record ArtifactInfo
{
    /// <summary>Its id, used in <c>/v1/artifacts/{id}</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Its media type.</summary>
    public required string ContentType { get; init; }

    /// <summary>Its size.</summary>
    public required long Bytes { get; init; }

    /// <summary>SHA-256 of the content, hex.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The id of the key that owns it.</summary>
    public string? OwnerKeyId { get; init; }

    /// <summary>The run that produced it.</summary>
    public string? RunId { get; init; }

    /// <summary>When it was stored.</summary>
    public required DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Stores generated files.</summary>
public interface IArtifactStore
{
    /// <summary>Stores <paramref name="content"/> and returns its facts.</summary>
    ValueTask<ArtifactInfo> SaveAsync(ReadOnlyMemory<byte> content, string contentType, string? ownerKeyId, string? runId, CancellationToken cancellationToken);

    /// <summary>The artifact's facts, or null.</summary>
    ValueTask<ArtifactInfo?> GetInfoAsync(string id, CancellationToken cancellationToken);

    /// <summary>Opens the artifact's content for reading, or null.</summary>
    ValueTask<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken);

    /// <summary>Deletes the artifacts stored before <paramref name="cutoff"/> (retention); returns how many.</summary>
    ValueTask<int> DeleteCreatedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken);
}
