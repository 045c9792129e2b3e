using System.Net;
using System.Net.Sockets;
using Switchyard.Diagnostics;
using Switchyard.Tests.Common.S3;

namespace Switchyard.Tests.Diagnostics;

/// <summary>
/// The fault catalog for S3 artifact storage: for each fault, <c>switchyard doctor</c> names the cause and the fix in an
/// <c>artifacts</c> fail line. The service is a real S3-compatible server on 127.0.0.1 (s3rver from scripts/s3.sh, or
/// SWITCHYARD_TEST_S3), which rejects an unknown access key with a real 403 (it does not verify SigV4 signatures,
/// so a wrong secret key alone is not a fault it can show).
/// </summary>
public sealed class DoctorS3FaultCatalogTests : IDisposable
{
    private const string WrongSecret = "WRONG-s3-secret-key-planted-0042";

    private readonly string _dir = Directory.CreateTempSubdirectory("switchyard-doctor-s3-").FullName;
    private readonly string _prefix = "doctor/" + Guid.NewGuid().ToString("N");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Baseline_WritableBucket_Ok()
    {
        var checks = await DoctorAsync();

        var artifacts = Assert.Single(checks, c => c.Area == "artifacts");
        Assert.Equal(CheckStatus.Ok, artifacts.Status);
        Assert.Equal($"s3://{S3TestServer.Bucket}/{_prefix}", artifacts.Subject);
        Assert.Contains("reachable and writable", artifacts.Cause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownAccessKey_403_Fail()
    {
        var checks = await DoctorAsync(accessKey: "NOBODY", secretKey: WrongSecret);

        var failed = Failed(checks, "access denied (HTTP 403 InvalidAccessKeyId)");
        Assert.Equal("check the keys in ${S3_ACCESS} and ${S3_SECRET}: the service does not accept them", failed.Fix);
    }

    [Fact]
    public async Task MissingBucket_FailNoSuchBucket()
    {
        var checks = await DoctorAsync(bucket: "no-such-bucket-" + Guid.NewGuid().ToString("N")[..8]);

        var failed = Failed(checks, "does not exist");
        Assert.Contains("create the bucket", failed.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndpointRefusingConnections_FailCannotConnect()
    {
        var checks = await DoctorAsync(endpoint: new Uri($"http://127.0.0.1:{ClosedPort()}"));

        var failed = Failed(checks, "cannot connect to http://127.0.0.1:");
        Assert.Contains("storage.s3.endpoint", failed.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SecretKeyVariableMissing_ConfigFailNamingIt()
    {
        var checks = await DoctorAsync(environment: new Dictionary<string, string> { ["S3_ACCESS"] = S3TestServer.Key });

        var config = Assert.Single(checks, c => c.Status == CheckStatus.Fail);
        Assert.Equal("config", config.Area);
        Assert.Equal("storage.s3.secret_key", config.Subject);
        Assert.Contains("S3_SECRET", config.Cause, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<DoctorCheck>> DoctorAsync(
        string bucket = S3TestServer.Bucket,
        Uri? endpoint = null,
        string accessKey = S3TestServer.Key,
        string secretKey = S3TestServer.Key,
        Dictionary<string, string>? environment = null)
    {
        endpoint ??= await S3TestServer.GetEndpointAsync();
        var yaml = $$"""
            storage:
              database: sqlite:{{Path.Combine(_dir, "db", "switchyard.db")}}
              artifacts: s3://{{bucket}}/{{_prefix}}
              s3:
                endpoint: {{endpoint}}
                region: us-east-1
                access_key: ${S3_ACCESS}
                secret_key: ${S3_SECRET}
            providers:
              placeholder:
                type: placeholder
            routes:
              image:
                modality: image
                chain:
                  - { provider: placeholder }
            """;
        var path = Path.Combine(_dir, "switchyard.yaml");
        await File.WriteAllTextAsync(path, yaml, Ct);
        environment ??= new Dictionary<string, string> { ["S3_ACCESS"] = accessKey, ["S3_SECRET"] = secretKey };
        var checks = await new Doctor(name => environment.GetValueOrDefault(name), TimeProvider.System, TimeSpan.FromSeconds(20)).RunAsync(path, Ct);
        foreach (var check in checks)
        {
            Assert.DoesNotContain(WrongSecret, check.Cause + check.Fix, StringComparison.Ordinal);
        }

        return checks;
    }

    private static DoctorCheck Failed(IReadOnlyList<DoctorCheck> checks, string causePart)
    {
        var failed = checks.Where(c => c.Status == CheckStatus.Fail && c.Area == "artifacts").ToList();
        return failed.FirstOrDefault(c => c.Cause.Contains(causePart, StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"no artifacts fail naming '{causePart}'; checks: {string.Join(" | ", checks.Select(c => $"{c.Status} {c.Area} {c.Subject}: {c.Cause}"))}");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
