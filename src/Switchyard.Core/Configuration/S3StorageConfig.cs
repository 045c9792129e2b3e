namespace Switchyard.Configuration;

/// <summary>
/// Where artifacts go when <c>storage.artifacts</c> is <c>s3://bucket/prefix</c>, with the <c>storage.s3</c> settings
/// for S3-compatible services (MinIO, Ceph, R2, …): endpoint, region, keys and path-style addressing.
/// </summary>
public sealed record S3StorageConfig
{
    /// <summary>The bucket.</summary>
    public required string Bucket { get; init; }

    /// <summary>The key prefix, without leading or trailing '/'; empty for the bucket's root.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>The service URL of an S3-compatible service; null for AWS itself (the region's endpoint).</summary>
    public Uri? Endpoint { get; init; }

    /// <summary>The region that requests are signed for.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>The access key id; null (with <see cref="SecretKey"/>) for the SDK's default credentials (environment, profile, instance role).</summary>
    public Secret? AccessKey { get; init; }

    /// <summary>The secret access key.</summary>
    public Secret? SecretKey { get; init; }

    /// <summary>Path-style addressing (<c>endpoint/bucket/key</c>), which most S3-compatible services need.</summary>
    public bool PathStyle { get; init; }

    /// <summary><c>s3://bucket/prefix</c>, for messages.</summary>
    public string Display => Prefix.Length == 0 ? $"s3://{Bucket}" : $"s3://{Bucket}/{Prefix}";
}
