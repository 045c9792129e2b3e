using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>Size limits per endpoint, strict content types, JSON depth and unknown fields: each a 4xx in the OpenAI error shape naming what to fix.</summary>
public sealed class HostileInputTests
{
    private const string Server = """

        server:
          max_request_bytes: 200000
          max_json_request_bytes: 4096
          max_prompt_chars: 50
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/v1/chat/completions")]
    [InlineData("/v1/images/generations")]
    [InlineData("/v1/audio/speech")]
    public async Task JsonEndpoint_BodyOverJsonLimit_413NamingTheSetting(string path)
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Server);
        using var client = factory.CreateClientWithKey();
        var body = "{\"model\":\"x\",\"pad\":\"" + new string('a', 5000) + "\"}";

        using var response = await client.PostAsync(path, Json(body), Ct);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, null, "request_too_large");
        Assert.Contains("server.max_json_request_bytes", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonEndpoint_ChunkedBodyWithoutLengthOverLimit_413()
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Server);
        using var client = factory.CreateClientWithKey();
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("{\"model\":\"text\",\"pad\":\"" + new string('a', 9000) + "\"}")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request, Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, null, "request_too_large");
    }

    [Fact]
    public async Task Edits_JsonBodyOverJsonLimitButUnderUploadLimit_IsRead()
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Server);
        using var client = factory.CreateClientWithKey();
        var body = "{\"model\":\"image\",\"prompt\":\"x\",\"image\":\"data:image/png;base64," + new string('A', 8000) + "\"}";

        using var response = await client.PostAsync("/v1/images/edits", Json(body), Ct);

        // Read and judged (the bytes are not a PNG), not refused for its size.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "image");
    }

    [Fact]
    public async Task Post_NoContentType_415NamingApplicationJson()
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"model":"text","messages":[{"role":"user","content":"hi"}]}"""));

        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, null, "unsupported_media_type");
        Assert.Contains("application/json", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/chat/completions", "text/plain", "application/json")]
    [InlineData("/v1/chat/completions", "application/jsonp", "application/json")]
    [InlineData("/v1/audio/speech", "application/xml", "application/json")]
    [InlineData("/v1/images/edits", "text/plain", "multipart/form-data")]
    public async Task Post_NonJsonContentType_415NamingExpectedType(string path, string contentType, string expected)
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();
        var content = new StringContent("{}");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);

        using var response = await client.PostAsync(path, content, Ct);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, null, "unsupported_media_type");
        Assert.Contains(expected, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_VendorJsonContentType_Accepted()
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();
        var content = new StringContent("""{"model":"text","messages":[{"role":"user","content":"hi"}]}""");
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/vnd.api+json; charset=utf-8");

        using var response = await client.PostAsync("/v1/chat/completions", content, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(31, HttpStatusCode.OK)]
    [InlineData(33, HttpStatusCode.BadRequest)]
    [InlineData(5000, HttpStatusCode.BadRequest)]
    public async Task Post_NestedJson_DepthLimit32(int depth, HttpStatusCode expected)
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();
        var body = """{"model":"text","messages":[{"role":"user","content":"hi"}],"metadata":""" + new string('[', depth - 1) + new string(']', depth - 1) + "}";

        using var response = await client.PostAsync("/v1/chat/completions", Json(body), Ct);

        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            var error = await HttpAssert.ErrorAsync(response, expected, null, "invalid_json");
            Assert.Contains("depth", error.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("/v1/images/generations", """{"model":"image","prompt":"x","size":"256x256","colour":"red"}""", "colour")]
    [InlineData("/v1/chat/completions", """{"model":"text","messages":[{"role":"user","content":"hi"}],"temprature":1}""", "temprature")]
    [InlineData("/v1/audio/speech", """{"model":"speech","input":"hi","voice":"alloy","response_format":"wav","pitch":2}""", "pitch")]
    [InlineData("/v1/images/generations", """{"model":"image","prompt":"x","image":"data:image/png;base64,AAAA"}""", "image")]
    public async Task UnknownField_Reject_400NamingField_Ignore_Served(string path, string body, string field)
    {
        using (var strict = new GatewayFactory(GatewayFactory.DefaultYaml + "\nserver:\n  unknown_fields: reject\n"))
        using (var client = strict.CreateClientWithKey())
        using (var response = await client.PostAsync(path, Json(body), Ct))
        {
            var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, field, "unknown_parameter");
            Assert.Contains(field, error.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        using var lenient = new GatewayFactory();
        using var lenientClient = lenient.CreateClientWithKey();
        using var served = await lenientClient.PostAsync(path, Json(body), Ct);
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task UnknownField_Reject_KnownFieldsOfEveryEndpointPass()
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + "\nserver:\n  unknown_fields: reject\n");
        using var client = factory.CreateClientWithKey();

        using var image = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "x", n = 1, size = "256x256", response_format = "b64_json", quality = "standard", style = "vivid", user = "u", seed = 3 }, Ct);
        using var chat = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi" } }, temperature = 1, top_p = 1, max_tokens = 10, stream = false, stop = "x", seed = 1 }, Ct);
        using var speech = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "speech", input = "hi", voice = "alloy", response_format = "wav", speed = 1.0 }, Ct);

        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal(HttpStatusCode.OK, speech.StatusCode);
    }

    [Theory]
    [InlineData("/v1/images/generations", """{"model":"image","prompt":"PROMPT"}""", "prompt")]
    [InlineData("/v1/images/generations", """{"model":"image","prompt":"x","negative_prompt":"PROMPT"}""", "negative_prompt")]
    public async Task Prompt_OverConfiguredLimit_400NamingIt(string path, string template, string param)
    {
        using var factory = new GatewayFactory(GatewayFactory.DefaultYaml + Server);
        using var client = factory.CreateClientWithKey();

        using var response = await client.PostAsync(path, Json(template.Replace("PROMPT", new string('p', 51), StringComparison.Ordinal)), Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, param, "string_above_max_length");
    }

    // Found by FuzzTests: each was a 500.
    [Fact]
    public async Task LoneSurrogateEscape_400NamingTheField()
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();

        using var response = await client.PostAsync("/v1/images/generations", Json("""{"model":"image","prompt":"x","negative_prompt":"\ud800"}"""), Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "negative_prompt", "invalid_unicode");
    }

    [Theory]
    [InlineData("NaN")]
    [InlineData("1e999")]
    [InlineData("-Infinity")]
    public async Task Multipart_NonFiniteNumber_400NamingTheField(string value)
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();
        using var form = new MultipartFormDataContent { { new StringContent(value), "strength" }, { new StringContent("x"), "prompt" } };

        using var response = await client.PostAsync("/v1/images/edits", form, Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "strength", "invalid_type");
    }

    [Theory]
    [InlineData("/v1/stats?since=999999999999d")]
    [InlineData("/v1/runs?since=99999999999999999h")]
    [InlineData("/v1/runs?until=1e300s")]
    public async Task Query_AgeBeyondTimeRange_400NamingTheParameter(string path)
    {
        using var factory = new GatewayFactory();
        using var client = factory.CreateClientWithKey();

        using var response = await client.GetAsync(path, Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, path.Contains("until", StringComparison.Ordinal) ? "until" : "since", "invalid_value");
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
