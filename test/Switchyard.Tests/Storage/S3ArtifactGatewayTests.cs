using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Providers.Media;
using Switchyard.Tests.Common.S3;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Storage;

/// <summary>
/// The gateway with <c>storage.artifacts: s3://…</c> on a real S3-compatible server on 127.0.0.1: a generated image
/// is stored as an object under the prefix and served back through <c>/v1/artifacts/{id}</c>.
/// </summary>
public sealed class S3ArtifactGatewayTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Images_UrlFormat_StoredInTheBucketAndServedBack()
    {
        // The keys are read from the process's environment, as in production; s3rver accepts only this access key.
        Environment.SetEnvironmentVariable("SWITCHYARD_TEST_S3_ACCESS_KEY", S3TestServer.Key);
        Environment.SetEnvironmentVariable("SWITCHYARD_TEST_S3_SECRET_KEY", S3TestServer.Key);
        var endpoint = await S3TestServer.GetEndpointAsync();
        var prefix = "gateway/" + Guid.NewGuid().ToString("N");
        await using var gateway = new GatewayFactory(
            GatewayFactory.DefaultYaml,
            extraStorage: $"""
              s3:
                endpoint: {endpoint}
                access_key: ${"{"}SWITCHYARD_TEST_S3_ACCESS_KEY{"}"}
                secret_key: ${"{"}SWITCHYARD_TEST_S3_SECRET_KEY{"}"}
            """,
            artifacts: $"s3://{S3TestServer.Bucket}/{prefix}");
        using var client = gateway.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a harbour", size = "256x256", response_format = "url" }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var url = new Uri(body.GetProperty("data")[0].GetProperty("url").GetString()!);
        var id = url.AbsolutePath.Split('/')[^1];

        using var served = await gateway.CreateClient().GetAsync(url.PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Equal("image/png", served.Content.Headers.ContentType?.MediaType);
        var png = await served.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal((256, 256), ImageInspector.GetSize(png));

        // The object is in the bucket under the prefix, with the same bytes and the gateway's facts as metadata.
        using var s3 = new HttpClient();
        using var stored = await s3.GetAsync(new Uri(endpoint, $"/{S3TestServer.Bucket}/{prefix}/{id}"), Ct);
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(png, await stored.Content.ReadAsByteArrayAsync(Ct));
        Assert.Equal(SeededLedger.AdminKeyId, stored.Headers.GetValues("x-amz-meta-owner-key").Single());
    }
    [Fact]
    public async Task Readyz_StorageAnswers_Ok_S3Unreachable_NotReadyNamingStorage()
    {
        Environment.SetEnvironmentVariable("SWITCHYARD_TEST_S3_ACCESS_KEY", S3TestServer.Key);
        Environment.SetEnvironmentVariable("SWITCHYARD_TEST_S3_SECRET_KEY", S3TestServer.Key);
        var endpoint = await S3TestServer.GetEndpointAsync();
        string Storage(Uri at) => $"""
              s3:
                endpoint: {at}
                access_key: ${"{"}SWITCHYARD_TEST_S3_ACCESS_KEY{"}"}
                secret_key: ${"{"}SWITCHYARD_TEST_S3_SECRET_KEY{"}"}
            """;

        await using (var up = new GatewayFactory(GatewayFactory.DefaultYaml, extraStorage: Storage(endpoint), artifacts: $"s3://{S3TestServer.Bucket}/readyz"))
        {
            using var ready = await up.CreateClient().GetAsync("/readyz", Ct);
            var body = await ready.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Equal("ok", body.GetProperty("checks").GetProperty("storage").GetString());
        }

        var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var down = new GatewayFactory(GatewayFactory.DefaultYaml, extraStorage: Storage(new Uri($"http://127.0.0.1:{port}")), artifacts: $"s3://{S3TestServer.Bucket}/readyz");
        using var notReady = await down.CreateClient().GetAsync("/readyz", Ct);
        var checks = (await notReady.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("checks");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.StartsWith("fail", checks.GetProperty("storage").GetString(), StringComparison.Ordinal);
        Assert.Equal("ok", checks.GetProperty("database").GetString());
    }
}
