using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>Every kind of bad request gets a 4xx in the OpenAI error shape naming the field, and a ledger record.</summary>
public sealed class BadInputTests : IClassFixture<GatewayFactory>
{
    private readonly GatewayFactory _factory;

    public BadInputTests(GatewayFactory factory)
    {
        _factory = factory;
    }

    public static TheoryData<string, string, string, string> BadFields => new()
    {
        { "/v1/images/generations", """{"model":"image"}""", "prompt", "missing_required_parameter" },
        { "/v1/images/generations", """{"model":"image","prompt":42}""", "prompt", "invalid_type" },
        { "/v1/images/generations", """{"model":"image","prompt":"x","n":"two"}""", "n", "invalid_type" },
        { "/v1/images/generations", """{"model":"image","prompt":"x","n":5}""", "n", "invalid_value" },
        { "/v1/images/generations", """{"model":"image","prompt":"x","size":"huge"}""", "size", "invalid_value" },
        { "/v1/images/generations", """{"model":"image","prompt":"x","response_format":"gif"}""", "response_format", "invalid_value" },
        { "/v1/images/generations", """{"model":7,"prompt":"x"}""", "model", "invalid_type" },
        { "/v1/chat/completions", """{"model":"text"}""", "messages", "missing_required_parameter" },
        { "/v1/chat/completions", """{"model":"text","messages":[]}""", "messages", "invalid_type" },
        { "/v1/chat/completions", """{"model":"text","messages":"hi"}""", "messages", "invalid_type" },
        { "/v1/chat/completions", """{"model":"text","messages":[{"role":"wizard","content":"hi"}]}""", "messages[0].role", "invalid_value" },
        { "/v1/chat/completions", """{"model":"text","messages":[{"role":"user","content":5}]}""", "messages[0].content", "invalid_type" },
        { "/v1/chat/completions", """{"model":"text","messages":[{"role":"user","content":"hi"}],"temperature":3}""", "temperature", "invalid_value" },
        { "/v1/chat/completions", """{"model":"text","messages":[{"role":"user","content":"hi"}],"stream":"yes"}""", "stream", "invalid_type" },
        { "/v1/audio/speech", """{"model":"speech","voice":"alloy"}""", "input", "missing_required_parameter" },
        { "/v1/audio/speech", """{"model":"speech","input":"hi"}""", "voice", "missing_required_parameter" },
        { "/v1/audio/speech", """{"model":"speech","input":"hi","voice":"alloy","response_format":"midi"}""", "response_format", "invalid_value" },
        { "/v1/audio/speech", """{"model":"speech","input":"hi","voice":"alloy","speed":9}""", "speed", "invalid_value" },
    };

    [Theory]
    [MemberData(nameof(BadFields))]
    public async Task Post_BadField_400NamingFieldAndLedgerRecord(string path, string body, string param, string code)
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, param, code);
        var runId = error.GetProperty("run_id").GetString()!;
        Assert.Equal(runId, HttpAssert.RunId(response));
        var run = await HttpAssert.RunAsync(client, runId);
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        Assert.Equal("invalid_request", run.GetProperty("error_class").GetString());
        Assert.Equal(400, run.GetProperty("http_status").GetInt32());
    }

    [Theory]
    [InlineData("{\"model\":\"text\",")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("")]
    public async Task Post_MalformedJson_400InvalidJson(string body)
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, null, "invalid_json");
        Assert.StartsWith("run_", error.GetProperty("run_id").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_DeeplyNestedJson_400NotCrash()
    {
        using var client = _factory.CreateClientWithKey();
        var body = "{\"model\":\"text\",\"x\":" + new string('[', 200) + new string(']', 200) + "}";

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, null, "invalid_json");
    }

    [Fact]
    public async Task Post_OversizedBody_413()
    {
        using var client = _factory.CreateClientWithKey();
        var body = "{\"model\":\"image\",\"prompt\":\"" + new string('a', 21 * 1024 * 1024) + "\"}";

        using var response = await client.PostAsync("/v1/images/generations", new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.RequestEntityTooLarge, null, "request_too_large");
    }

    [Fact]
    public async Task Post_PromptOverLimit_400NamingPrompt()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = new string('a', 32_001) }, TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "prompt", "string_above_max_length");
    }

    [Fact]
    public async Task Post_WrongContentType_415()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("model=text", Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.UnsupportedMediaType, null, "unsupported_media_type");
    }

    [Fact]
    public async Task Post_UnknownModel_ErrorBodyKeepsTheRelaxedEscaping()
    {
        // Error bodies are written with the relaxed encoder: '+', '<', '&' and non-ASCII stay as they are (only what
        // JSON requires, the quote, is escaped), as OpenAI's own error bodies read.
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsync("/v1/chat/completions", new StringContent("""{"model":"a+b<c>&\"é","messages":[{"role":"user","content":"x"}]}""", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("""The model 'a+b<c>&\"é' does not exist""", text, StringComparison.Ordinal);
        Assert.Equal("a+b<c>&\"é", JsonDocument.Parse(text).RootElement.GetProperty("error").GetProperty("message").GetString()!.Split('\'')[1]);
    }

    [Theory]
    [InlineData("/v1/images/generations", """{"model":"nope","prompt":"x"}""")]
    [InlineData("/v1/images/generations", """{"model":"text","prompt":"x"}""")]
    [InlineData("/v1/chat/completions", """{"model":"sandbox-a/not-a-model","messages":[{"role":"user","content":"x"}]}""")]
    [InlineData("/v1/audio/speech", """{"model":"image","input":"x","voice":"alloy"}""")]
    public async Task Post_UnknownOrWrongModalityModel_404NamingModel(string path, string body)
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);

        var error = await HttpAssert.ErrorAsync(response, HttpStatusCode.NotFound, "model", "model_not_found");
        var run = await HttpAssert.RunAsync(client, error.GetProperty("run_id").GetString()!);
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer sy_NotARealKey1_abcdefghijklmnopqrstuvwxyz")]
    [InlineData("Bearer sk-openai-style-key")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task Post_BadKey_401(string? authorization)
    {
        using var client = _factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = JsonContent.Create(new { model = "text", messages = new[] { new { role = "user", content = "x" } } }) };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.Unauthorized, null, "invalid_api_key");
    }

    [Fact]
    public async Task Get_UnknownEndpoint_404InErrorShape()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.GetAsync("/v1/nothing-here", TestContext.Current.CancellationToken);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.NotFound, null, "unknown_url");
    }

    [Fact]
    public async Task Post_ClientStopsMidBody_400IncompleteBodyAndLedgerRecord()
    {
        // What Kestrel throws when the client closes its connection before the Content-Length arrived.
        var body = new FailingBody("{\"model\":\"text\",\"messages\":[{\"role\""u8.ToArray(), new BadHttpRequestException("Unexpected end of request content.", 400));

        var context = await _factory.Server.SendAsync(http => PostChat(http, body, 500), TestContext.Current.CancellationToken);

        Assert.Equal(400, context.Response.StatusCode);
        var runId = context.Response.Headers["x-switchyard-run-id"].ToString();
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, runId);
        Assert.Equal("failed", run.GetProperty("outcome").GetString());
        Assert.Equal("invalid_request", run.GetProperty("error_class").GetString());
        Assert.Equal(400, run.GetProperty("http_status").GetInt32());
        Assert.Contains("request body could not be read", run.GetProperty("error_message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ConnectionResetMidBody_RecordedAs499Cancelled()
    {
        var body = new FailingBody("{\"model\":"u8.ToArray(), new IOException("Connection reset by peer"));

        var context = await _factory.Server.SendAsync(http => PostChat(http, body, 200), TestContext.Current.CancellationToken);

        Assert.Equal(499, context.Response.StatusCode);
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, context.Response.Headers["x-switchyard-run-id"].ToString());
        Assert.Equal("cancelled", run.GetProperty("error_class").GetString());
        Assert.Equal(499, run.GetProperty("http_status").GetInt32());
    }

    private static void PostChat(HttpContext http, Stream body, long contentLength)
    {
        http.Request.Method = "POST";
        http.Request.Path = "/v1/chat/completions";
        http.Request.Headers.Authorization = "Bearer " + GatewayFactory.AdminKey;
        http.Request.ContentType = "application/json";
        http.Request.ContentLength = contentLength;
        http.Request.Body = body;
    }

    /// <summary>A request body that gives its bytes, then fails the way a dropped client makes Kestrel fail.</summary>
    private sealed class FailingBody(byte[] start, Exception failure) : MemoryStream(start)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Position < Length ? base.ReadAsync(buffer, cancellationToken) : ValueTask.FromException<int>(failure);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }
}
