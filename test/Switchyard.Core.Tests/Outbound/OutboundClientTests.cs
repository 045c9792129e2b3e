using System.Net;
using System.Net.Sockets;
using Switchyard.Outbound;

namespace Switchyard.Core.Tests.Outbound;

public sealed class OutboundClientTests : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly int _port;
    private readonly CancellationTokenSource _stop = new();

    public OutboundClientTests()
    {
        // A tiny loopback server: /image returns bytes, /redirect?to=URL redirects, /big returns 2 MB.
        _port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _listener.Start();
        _ = ServeAsync();
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Uri Url(string path) => new($"http://127.0.0.1:{_port}{path}");

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("::1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("0.0.0.0")]
    public void Check_PrivateOrReserved_RefusedByDefault(string address)
    {
        Assert.NotNull(new AddressPolicy([]).Check(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    public void Check_Public_Allowed(string address)
    {
        Assert.Null(new AddressPolicy([]).Check(IPAddress.Parse(address)));
    }

    [Fact]
    public void Check_AllowListed_Allowed()
    {
        var policy = new AddressPolicy(["127.0.0.1/32", "10.0.0.0/8"]);

        Assert.Null(policy.Check(IPAddress.Parse("127.0.0.1")));
        Assert.Null(policy.Check(IPAddress.Parse("10.9.9.9")));
        Assert.NotNull(policy.Check(IPAddress.Parse("127.0.0.2")));
    }

    [Fact]
    public async Task GetBytes_LoopbackNotAllowListed_RefusedBeforeConnecting()
    {
        using var client = new OutboundClient(new AddressPolicy([]), TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(Url("/image"), 1 << 20, Ct));

        Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("outbound.allow_private", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, _served);
    }

    [Fact]
    public async Task GetBytes_AllowListedLoopback_Fetches()
    {
        using var client = new OutboundClient(new AddressPolicy(["127.0.0.1/32"]), TimeSpan.FromSeconds(10));

        var (content, type) = await client.GetBytesAsync(Url("/image"), 1 << 20, Ct);

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], content);
        Assert.Equal("image/png", type);
    }

    [Fact]
    public async Task GetBytes_RedirectToMetadataAddress_RefusedAtTheRedirect()
    {
        using var client = new OutboundClient(new AddressPolicy(["127.0.0.1/32"]), TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(Url("/redirect?to=http://169.254.169.254/latest/meta-data/"), 1 << 20, Ct));

        Assert.Contains("169.254.169.254", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBytes_RedirectLoop_StopsAfterLimit()
    {
        using var client = new OutboundClient(new AddressPolicy(["127.0.0.1/32"]), TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(Url("/redirect?to=/redirect?to=/redirect?to=/redirect?to=/redirect?to=/image"), 1 << 20, Ct));

        Assert.Contains("redirects", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetBytes_OverSizeCap_Refused()
    {
        using var client = new OutboundClient(new AddressPolicy(["127.0.0.1/32"]), TimeSpan.FromSeconds(10));

        var ex = await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(Url("/big"), 1 << 20, Ct));

        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://example.com/x")]
    [InlineData("http://user:pass@127.0.0.1/x")]
    public async Task GetBytes_SchemeOrCredentials_Refused(string url)
    {
        using var client = new OutboundClient(new AddressPolicy(["127.0.0.1/32"]), TimeSpan.FromSeconds(10));

        await Assert.ThrowsAsync<OutboundException>(() => client.GetBytesAsync(new Uri(url), 1 << 20, Ct));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _stop.Dispose();
    }

    private int _served;

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _served);
            var response = context.Response;
            switch (context.Request.Url!.AbsolutePath)
            {
                case "/image":
                    response.ContentType = "image/png";
                    await response.OutputStream.WriteAsync(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
                    break;
                case "/redirect":
                    response.StatusCode = 302;
                    response.RedirectLocation = context.Request.Url.Query["?to=".Length..];
                    break;
                case "/big":
                    response.ContentType = "application/octet-stream";
                    response.SendChunked = true;
                    var chunk = new byte[64 * 1024];
                    for (var i = 0; i < 32; i++)
                    {
                        await response.OutputStream.WriteAsync(chunk);
                    }

                    break;
                default:
                    response.StatusCode = 404;
                    break;
            }

            response.Close();
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
