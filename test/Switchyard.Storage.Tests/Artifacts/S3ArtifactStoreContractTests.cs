using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Storage.S3;
using Switchyard.Storage.Tests.Contract;
using Switchyard.Tests.Common.S3;

namespace Switchyard.Storage.Tests.Artifacts;

/// <summary>
/// The artifact store contract on a real S3-compatible server on 127.0.0.1 (s3rver from scripts/s3.sh, or
/// SWITCHYARD_TEST_S3): each test has a key prefix of its own in the test bucket, so "empty" means an empty prefix.
/// </summary>
public sealed class S3ArtifactStoreContractTests : ArtifactStoreContractTests
{
    private readonly string _prefix = "contract/" + Guid.NewGuid().ToString("N");
    private readonly List<S3ArtifactStore> _opened = [];

    internal static async Task<S3StorageConfig> ConfigAsync(string prefix, string bucket = S3TestServer.Bucket, string key = S3TestServer.Key) => new()
    {
        Bucket = bucket,
        Prefix = prefix,
        Endpoint = await S3TestServer.GetEndpointAsync(),
        Region = "us-east-1",
        AccessKey = new Secret("S3_TEST_ACCESS_KEY", key),
        SecretKey = new Secret("S3_TEST_SECRET_KEY", key),
        PathStyle = true,
    };

    protected override async ValueTask<IArtifactStore> CreateStoreAsync() => Open(await ConfigAsync(_prefix), Time);

    protected override async ValueTask<IArtifactStore> OpenSecondStoreAsync(TimeProvider time) => Open(await ConfigAsync(_prefix), time);

    protected override async ValueTask DisposeStoreAsync()
    {
        if (_opened.Count > 0)
        {
            await _opened[0].DeleteCreatedBeforeAsync(DateTimeOffset.MaxValue, CancellationToken.None);
        }

        _opened.ForEach(static s => s.Dispose());
    }

    [Fact]
    public async Task SaveAsync_WithPrefix_StoresTheObjectUnderPrefixSlashId()
    {
        var store = (S3ArtifactStore)await CreateStoreAsync();
        var saved = await store.SaveAsync("abc"u8.ToArray(), "image/png", "key_1", null, Ct);
        using var http = new HttpClient();

        // s3rver serves objects of its buckets to anonymous GETs, which shows where the object really is.
        var endpoint = await S3TestServer.GetEndpointAsync();
        using var response = await http.GetAsync(new Uri(endpoint, $"/{S3TestServer.Bucket}/{_prefix}/{saved.Id}"), Ct);

        Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
        Assert.Equal("abc"u8.ToArray(), await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(saved.Sha256, response.Headers.GetValues("x-amz-meta-sha256").Single());
    }

    [Fact]
    public async Task DeleteCreatedBeforeAsync_OtherPrefix_LeavesItAlone()
    {
        var mine = await CreateStoreAsync();
        using var other = new S3ArtifactStore(await ConfigAsync(_prefix + "-other"), Time);
        var theirs = await other.SaveAsync("x"u8.ToArray(), "text/plain", null, null, Ct);
        try
        {
            Time.Advance(TimeSpan.FromDays(1));

            Assert.Equal(0, await mine.DeleteCreatedBeforeAsync(Time.GetUtcNow(), Ct));
            Assert.NotNull(await other.GetInfoAsync(theirs.Id, Ct));
        }
        finally
        {
            await other.DeleteCreatedBeforeAsync(DateTimeOffset.MaxValue, Ct);
        }
    }

    [Fact]
    public async Task CheckAsync_WritableBucket_Ok()
    {
        var store = (S3ArtifactStore)await CreateStoreAsync();

        var check = await store.CheckAsync(Ct);

        Assert.True(check.Ok, check.Cause);
        Assert.Contains("reachable and writable", check.Cause, StringComparison.Ordinal);
        Assert.Equal(0, await store.DeleteCreatedBeforeAsync(DateTimeOffset.MaxValue, Ct));
    }

    private S3ArtifactStore Open(S3StorageConfig config, TimeProvider time)
    {
        var store = new S3ArtifactStore(config, time);
        _opened.Add(store);
        return store;
    }
}
