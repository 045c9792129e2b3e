using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Switchyard.Artifacts;
using Switchyard.Configuration;

namespace Switchyard.Storage.S3;

/// <summary>
/// Stores artifacts as objects in an S3 bucket or an S3-compatible service: <c>{prefix}/{id}</c>, with the content
/// type as the object's <c>Content-Type</c> and the facts (SHA-256, owner key, run, creation time by the gateway's
/// clock) as <c>x-amz-meta-*</c> metadata, so one HEAD answers <see cref="GetInfoAsync"/>. A PUT is atomic in S3: an
/// artifact is visible whole or not at all.
/// </summary>
public sealed class S3ArtifactStore : IArtifactStore, IDisposable
{
    private const string ShaMeta = "sha256";
    private const string OwnerMeta = "owner-key";
    private const string RunMeta = "run-id";
    private const string CreatedMeta = "created-at";

    private readonly AmazonS3Client _client;
    private readonly S3StorageConfig _config;
    private readonly TimeProvider _time;
    private readonly string _keyPrefix;

    /// <summary>Creates a store over the bucket <paramref name="config"/> names.</summary>
    /// <param name="config">The bucket, prefix, endpoint, region and keys.</param>
    /// <param name="time">The clock for <see cref="ArtifactInfo.CreatedAt"/> and retention.</param>
    public S3ArtifactStore(S3StorageConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(time);
        _config = config;
        _time = time;
        _keyPrefix = config.Prefix.Length == 0 ? "" : config.Prefix + "/";
        _client = CreateClient(config);
    }

    /// <summary>Where the artifacts go, e.g. <c>s3://bucket/prefix at http://127.0.0.1:9000</c>: never a key.</summary>
    public string Description => _config.Display + (_config.Endpoint is { } endpoint ? " at " + endpoint.GetLeftPart(UriPartial.Authority) : "");

    /// <inheritdoc />
    public async ValueTask<ArtifactInfo> SaveAsync(ReadOnlyMemory<byte> content, string contentType, string? ownerKeyId, string? runId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(contentType);
        var info = new ArtifactInfo
        {
            Id = ArtifactIds.New(),
            ContentType = contentType,
            Bytes = content.Length,
            Sha256 = Convert.ToHexStringLower(SHA256.HashData(content.Span)),
            OwnerKeyId = ownerKeyId,
            RunId = runId,
            CreatedAt = _time.GetUtcNow(),
        };

        using var body = new MemoryStream(content.ToArray(), writable: false);
        var request = new PutObjectRequest
        {
            BucketName = _config.Bucket,
            Key = _keyPrefix + info.Id,
            InputStream = body,
            ContentType = contentType,

            // Plain signed PUTs: S3-compatible services differ in their support for aws-chunked uploads.
            UseChunkEncoding = false,
            AutoCloseStream = false,
        };
        request.Metadata.Add(ShaMeta, info.Sha256);
        request.Metadata.Add(CreatedMeta, info.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        if (ownerKeyId is not null)
        {
            request.Metadata.Add(OwnerMeta, ownerKeyId);
        }

        if (runId is not null)
        {
            request.Metadata.Add(RunMeta, runId);
        }

        await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        return info;
    }

    /// <inheritdoc />
    /// <remarks>Returns null for ids that are not of the <c>art_</c> + letters and digits form.</remarks>
    public async ValueTask<ArtifactInfo?> GetInfoAsync(string id, CancellationToken cancellationToken)
    {
        if (!ArtifactIds.IsValid(id))
        {
            return null;
        }

        try
        {
            var head = await _client.GetObjectMetadataAsync(_config.Bucket, _keyPrefix + id, cancellationToken).ConfigureAwait(false);
            return ToInfo(id, head.Headers.ContentType, head.Headers.ContentLength, head.Metadata);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>Returns null for ids that are not of the <c>art_</c> + letters and digits form.</remarks>
    public async ValueTask<Stream?> OpenReadAsync(string id, CancellationToken cancellationToken)
    {
        if (!ArtifactIds.IsValid(id))
        {
            return null;
        }

        try
        {
            var response = await _client.GetObjectAsync(_config.Bucket, _keyPrefix + id, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Lists the prefix and reads each artifact's creation time from its metadata (the gateway's clock, not the
    /// service's <c>LastModified</c>), so it costs one HEAD per artifact; retention runs rarely.
    /// </remarks>
    public async ValueTask<int> DeleteCreatedBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var removed = 0;
        var request = new ListObjectsV2Request { BucketName = _config.Bucket, Prefix = _keyPrefix + ArtifactIds.Prefix };
        do
        {
            var page = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.S3Objects ?? [])
            {
                var id = entry.Key[_keyPrefix.Length..];
                if (id.Contains('/', StringComparison.Ordinal) || await GetInfoAsync(id, cancellationToken).ConfigureAwait(false) is not { } info || info.CreatedAt >= cutoff)
                {
                    continue;
                }

                await _client.DeleteObjectAsync(_config.Bucket, entry.Key, cancellationToken).ConfigureAwait(false);
                removed++;
            }

            request.ContinuationToken = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (request.ContinuationToken is not null);

        return removed;
    }

    /// <summary>
    /// Whether the bucket can be written, read and cleaned up: a small probe object is put, read back and deleted.
    /// Never throws for a service failure: the answer names the cause (no such bucket, access denied, connection
    /// refused, timeout) and the fix.
    /// </summary>
    public async Task<ArtifactStoreCheck> CheckAsync(CancellationToken cancellationToken)
    {
        var key = _keyPrefix + ".switchyard-doctor-" + ArtifactIds.Random(12);
        try
        {
            using var body = new MemoryStream("ok"u8.ToArray(), writable: false);
            await _client.PutObjectAsync(new PutObjectRequest { BucketName = _config.Bucket, Key = key, InputStream = body, ContentType = "text/plain", UseChunkEncoding = false, AutoCloseStream = false }, cancellationToken).ConfigureAwait(false);
            await _client.GetObjectMetadataAsync(_config.Bucket, key, cancellationToken).ConfigureAwait(false);
            await _client.DeleteObjectAsync(_config.Bucket, key, cancellationToken).ConfigureAwait(false);
            return new ArtifactStoreCheck(true, $"{Description}: reachable and writable", null);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            return new ArtifactStoreCheck(false, $"{Description}: the bucket '{_config.Bucket}' does not exist", $"create the bucket '{_config.Bucket}', or name an existing one in storage.artifacts");
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized)
        {
            return new ArtifactStoreCheck(
                false,
                $"{Description}: access denied (HTTP {(int)ex.StatusCode} {ex.ErrorCode})",
                ex.ErrorCode is "InvalidAccessKeyId" or "SignatureDoesNotMatch"
                    ? $"check the keys in {KeyVariables()}: the service does not accept them"
                    : $"give the key of {KeyVariables()} s3:PutObject, s3:GetObject, s3:DeleteObject and s3:ListBucket on the bucket");
        }
        catch (AmazonS3Exception ex)
        {
            return new ArtifactStoreCheck(false, $"{Description}: HTTP {(int)ex.StatusCode} {ex.ErrorCode}: {ex.Message}", "check storage.artifacts and storage.s3 against the service's documentation");
        }
        catch (Exception ex) when (IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            var endpoint = _config.Endpoint?.GetLeftPart(UriPartial.Authority) ?? $"the AWS endpoint of {_config.Region}";
            return new ArtifactStoreCheck(
                false,
                $"{Description}: cannot connect to {endpoint}: {Innermost(ex).Message}",
                _config.Endpoint is null ? "check the network reaches AWS S3 and storage.s3.region" : "start the S3-compatible service, or fix storage.s3.endpoint");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    private static AmazonS3Client CreateClient(S3StorageConfig config)
    {
        var settings = new AmazonS3Config
        {
            ForcePathStyle = config.PathStyle,

            // Checksums only where S3 requires them: the SDK's default trailing checksums are not understood by
            // every S3-compatible service, and the content's SHA-256 is kept in the metadata anyway.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxErrorRetry = 2,
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (config.Endpoint is { } endpoint)
        {
            settings.ServiceURL = endpoint.ToString();
            settings.AuthenticationRegion = config.Region;
        }
        else
        {
            settings.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(config.Region);
        }

        return config.AccessKey?.Reveal() is { } accessKey && config.SecretKey?.Reveal() is { } secretKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, secretKey), settings)
            : new AmazonS3Client(settings);
    }

    private string KeyVariables() =>
        _config.AccessKey is { } access && _config.SecretKey is { } secret ? $"{access} and {secret}" : "the SDK's default credentials";

    private static ArtifactInfo ToInfo(string id, string? contentType, long length, MetadataCollection metadata)
    {
        var created = metadata[CreatedMeta];
        return new ArtifactInfo
        {
            Id = id,
            ContentType = string.IsNullOrEmpty(contentType) ? "application/octet-stream" : contentType,
            Bytes = length,
            Sha256 = metadata[ShaMeta] ?? "",
            OwnerKeyId = NullIfEmpty(metadata[OwnerMeta]),
            RunId = NullIfEmpty(metadata[RunMeta]),
            CreatedAt = DateTimeOffset.TryParse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at)
                ? at
                : throw new InvalidDataException($"The object of artifact '{id}' has no valid {CreatedMeta} metadata; it was not stored by Switchyard."),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static bool IsConnectionFailure(Exception ex) =>
        ex is HttpRequestException or SocketException or IOException or TaskCanceledException or TimeoutException
        || (ex is AmazonServiceException or AmazonClientException && ex.InnerException is { } inner && IsConnectionFailure(inner));

    private static Exception Innermost(Exception ex) => ex.InnerException is { } inner ? Innermost(inner) : ex;

    // Disposing the stream releases the response (and its connection).
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => response.ContentLength;

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>What checking an artifact store found.</summary>
/// <param name="Ok">True when it can be written and read.</param>
/// <param name="Cause">What was found.</param>
/// <param name="Fix">What to do (null when ok).</param>
public sealed record ArtifactStoreCheck(bool Ok, string Cause, string? Fix);
