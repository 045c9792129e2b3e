using System.Globalization;
using System.Net.Http.Headers;
using FsCheck.Fluent;
using Switchyard.Tests.Http;

namespace Switchyard.Tests.EndToEnd;

/// <summary>
/// The fuzz bodies of <see cref="FuzzTests"/> thrown at the real executable: it never answers 5xx, stays up, and its
/// memory stays bounded (resident size after the storm within a fixed margin of the size after a warm-up).
/// </summary>
public sealed class FuzzProcessTests : IClassFixture<GatewayProcess>
{
    // Generous for a 2-core CI machine: the GC may keep some of what the storm allocated; a leak of every body would not fit.
    private const long AllowedGrowthBytes = 150L << 20;

    private readonly GatewayProcess _gateway;

    public FuzzProcessTests(GatewayProcess gateway)
    {
        _gateway = gateway;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RandomBodies_Never5xx_ProcessStaysUp_MemoryBounded()
    {
        using var client = _gateway.CreateHttpClient(_gateway.AdminKey);
        var cases = Gen.Zip(Gen.Elements(FuzzTests.PostPaths), FuzzTests.JsonBody()).Sample(2000, FuzzTests.Seed, 30);
        await SendAsync(client, cases.Take(300));
        var warm = ResidentBytes();

        await SendAsync(client, cases.Skip(300));

        Assert.False(_gateway.Process!.HasExited, "the gateway exited during the fuzz storm");
        Assert.Equal("ok\n", await client.GetStringAsync(new Uri("/healthz", UriKind.Relative), Ct));
        var after = ResidentBytes();
        Assert.True(after - warm < AllowedGrowthBytes, $"resident memory grew from {warm >> 20} MB to {after >> 20} MB");
    }

    private async Task SendAsync(HttpClient client, IEnumerable<(string Path, byte[] Body)> cases)
    {
        foreach (var (path, body) in cases)
        {
            using var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await client.PostAsync(new Uri(path, UriKind.Relative), content, Ct);
            Assert.True(
                (int)response.StatusCode < 500,
                $"POST {path} {Shorten(System.Text.Encoding.UTF8.GetString(body))} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}\n{_gateway.Output[^Math.Min(_gateway.Output.Length, 3000)..]}");
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;

    private long ResidentBytes()
    {
        var line = File.ReadLines($"/proc/{_gateway.Process!.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }
}
