using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Switchyard.Providers.Media;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>POST /v1/images/edits with uploads, base64 and URLs; bad inputs answered 4xx naming the field.</summary>
public sealed class ImageEditTests : IClassFixture<GatewayFactory>
{
    private readonly GatewayFactory _factory;

    public ImageEditTests(GatewayFactory factory)
    {
        _factory = factory;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<byte[]> InputPngAsync(HttpClient client, string size = "512x512")
    {
        var body = await client.PostAsJsonAsync("/v1/images/generations", new { model = "placeholder/placeholder", prompt = "an input", size }, Ct);
        var json = await body.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return Convert.FromBase64String(json.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
    }

    private static (int, int)? SizeOf(JsonElement response) =>
        ImageInspector.GetSize(Convert.FromBase64String(response.GetProperty("data")[0].GetProperty("b64_json").GetString()!));

    [Fact]
    public async Task Edit_Base64DataUrl_SandboxEditsAtInputSizeAndLedgerRecordsInput()
    {
        using var client = _factory.CreateClientWithKey();
        var png = await InputPngAsync(client);

        using var response = await client.PostAsJsonAsync("/v1/images/edits", new { model = "image", prompt = "make it brighter", image = "data:image/png;base64," + Convert.ToBase64String(png) }, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("sandbox-a", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Equal((512, 512), SizeOf(JsonDocument.Parse(text).RootElement));
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(response));
        Assert.Equal("images.edits", run.GetProperty("endpoint").GetString());
        Assert.Contains("image/png 512x512", run.GetProperty("request").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_MultipartUploadWithSizeAndPreset_ServedAndStrengthFromPreset()
    {
        using var client = _factory.CreateClientWithKey();
        var png = await InputPngAsync(client);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("enhance"), "model" },
            { new StringContent("a harbour"), "prompt" },
            { new StringContent("256x256"), "size" },
            { new StringContent("2"), "n" },
        };
        var file = new ByteArrayContent(png);
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        form.Add(file, "image", "input.png");

        using var response = await client.PostAsync("/v1/images/edits", form, Ct);

        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var json = JsonDocument.Parse(text).RootElement;
        Assert.Equal(2, json.GetProperty("data").GetArrayLength());
        Assert.Equal((256, 256), SizeOf(json));
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(response));
        Assert.Equal("enhance", run.GetProperty("preset").GetString());
        Assert.Contains("\"strength\":0.7", run.GetProperty("request").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_HttpUrlOnAllowListedLoopback_Fetched()
    {
        using var client = _factory.CreateClientWithKey();
        var png = await InputPngAsync(client, "256x256");
        using var server = new OneFileServer(png);

        using var response = await client.PostAsJsonAsync("/v1/images/edits", new { model = "image", prompt = "sepia", image = server.Url, size = "256x256" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, server.Requests);
    }

    [Theory]
    [InlineData("data:image/png;base64,%%%notbase64", "invalid_value")]
    [InlineData("aGVsbG8gd29ybGQ=", "invalid_image")]
    [InlineData("blob:https://app.example.com/1234", "unsupported_value")]
    [InlineData("http://10.1.2.3/image.png", "image_fetch_failed")]
    [InlineData("http://169.254.169.254/latest/meta-data", "image_fetch_failed")]
    public async Task Edit_BadImage_400NamingImage(string image, string code)
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/edits", new { model = "image", prompt = "x", image }, Ct);

        var body = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "image", code);
        Assert.StartsWith("run_", body.GetProperty("run_id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Edit_NoImage_400Required()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/edits", new { model = "image", prompt = "x" }, Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "image", "missing_required_parameter");
    }

    /// <summary>Serves one file on 127.0.0.1 and counts requests.</summary>
    private sealed class OneFileServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _requests;

        public OneFileServer(byte[] content)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = $"http://127.0.0.1:{port}/input.png";
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    try
                    {
                        var context = await _listener.GetContextAsync();
                        Interlocked.Increment(ref _requests);
                        context.Response.ContentType = "image/png";
                        await context.Response.OutputStream.WriteAsync(content);
                        context.Response.Close();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                    {
                        return;
                    }
                }
            });
        }

        public string Url { get; }

        public int Requests => _requests;

        public void Dispose() => _listener.Close();
    }
}
