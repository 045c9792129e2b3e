using System.Net;
using System.Text;
using System.Text.Json;
using Switchyard.Tests.EndToEnd;

namespace Switchyard.Tests.Schema;

/// <summary>
/// Real responses of a running gateway against the official OpenAI response schemas (shared/spec/openai-schemas.json),
/// so the shapes stay what the SDKs expect.
/// </summary>
public sealed class OpenAISchemaTests : IClassFixture<GatewayProcess>
{
    private readonly GatewayProcess _gateway;

    public OpenAISchemaTests(GatewayProcess gateway)
    {
        _gateway = gateway;
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    // --- The validators themselves: a wrong document must fail, or the tests below prove nothing. ---

    [Fact]
    public async Task Validate_ChatCompletionWithoutChoices_Fails()
    {
        const string json = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m"}""";

        var errors = await OpenAISchemas.ValidateAsync("CreateChatCompletionResponse", json);

        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("choices", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_ChatCompletionMessageWithoutRefusal_Fails()
    {
        // The message is behind a $ref: this fails only if refs resolve.
        const string json = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","logprobs":null,"message":{"role":"assistant","content":"hi"}}]}""";

        var errors = await OpenAISchemas.ValidateAsync("CreateChatCompletionResponse", json);

        Assert.Contains(errors, e => e.Contains("refusal", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_MinimalValidChatCompletion_Passes()
    {
        const string json = """{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"finish_reason":"stop","logprobs":null,"message":{"role":"assistant","content":"hi","refusal":null}}]}""";

        Assert.Empty(await OpenAISchemas.ValidateAsync("CreateChatCompletionResponse", json));
    }

    [Theory]
    [InlineData("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":null}]}""", true)]
    [InlineData("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""", true)]
    [InlineData("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"done"}]}""", false)]
    [InlineData("""{"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{}}]}""", false)]
    [InlineData("""{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}""", false)]
    public async Task Validate_StreamChunks_NullableAndEnumsApply(string json, bool valid)
    {
        var errors = await OpenAISchemas.ValidateAsync("CreateChatCompletionStreamResponse", json);

        Assert.True(valid == (errors.Count == 0), $"expected {(valid ? "valid" : "invalid")}; errors: {string.Join("; ", errors)}");
    }

    [Theory]
    [InlineData("""{"error":{"message":"m","type":"t","param":null,"code":null}}""", true)]
    [InlineData("""{"error":{"message":"m","type":"t","code":null}}""", false)]
    [InlineData("""{"error":{"message":"m","type":"t","param":3,"code":null}}""", false)]
    public async Task Validate_ErrorBodies_RequireAllFourKeys(string json, bool valid)
    {
        var errors = await OpenAISchemas.ValidateAsync("ErrorResponse", json);

        Assert.True(valid == (errors.Count == 0), $"expected {(valid ? "valid" : "invalid")}; errors: {string.Join("; ", errors)}");
    }

    [Fact]
    public async Task Validate_ModelWithoutId_Fails()
    {
        const string json = """{"object":"list","data":[{"object":"model","created":1,"owned_by":"x"}]}""";

        Assert.NotEmpty(await OpenAISchemas.ValidateAsync("ListModelsResponse", json));
    }

    // --- Real responses. ---

    [Fact]
    public async Task ImagesGenerations_B64Json_MatchesImagesResponse()
    {
        var (status, json) = await PostAsync("/v1/images/generations", """{"model":"image","prompt":"a schema check","size":"1024x1024","response_format":"b64_json"}""");

        Assert.True(status == HttpStatusCode.OK, json);
        await OpenAISchemas.AssertValidAsync("ImagesResponse", json, "POST /v1/images/generations (b64_json)");
        using var document = JsonDocument.Parse(json);
        Assert.False(string.IsNullOrEmpty(document.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString()));
    }

    [Fact]
    public async Task ImagesGenerations_UrlTwoImages_MatchesImagesResponse()
    {
        var (status, json) = await PostAsync("/v1/images/generations", """{"model":"image","prompt":"a schema check by url","n":2,"response_format":"url"}""");

        Assert.True(status == HttpStatusCode.OK, json);
        await OpenAISchemas.AssertValidAsync("ImagesResponse", json, "POST /v1/images/generations (url, n=2)");
        using var document = JsonDocument.Parse(json);
        Assert.Equal(2, document.RootElement.GetProperty("data").GetArrayLength());
        Assert.All(document.RootElement.GetProperty("data").EnumerateArray(), d => Assert.StartsWith("http://127.0.0.1:", d.GetProperty("url").GetString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ImagesGenerations_Size512_MatchesImagesResponse()
    {
        // The sandbox serves 512x512 (as dall-e-2 does); the response must still fit the schema's `size` enum.
        var (status, json) = await PostAsync("/v1/images/generations", """{"model":"image","prompt":"a small schema check","size":"512x512"}""");

        Assert.True(status == HttpStatusCode.OK, json);
        await OpenAISchemas.AssertValidAsync("ImagesResponse", json, "POST /v1/images/generations (512x512)");
    }

    [Fact]
    public async Task ChatCompletions_Simple_MatchesCreateChatCompletionResponse()
    {
        var (status, json) = await PostAsync("/v1/chat/completions", """{"model":"text","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"schema check"}]}""");

        Assert.True(status == HttpStatusCode.OK, json);
        await OpenAISchemas.AssertValidAsync("CreateChatCompletionResponse", json, "POST /v1/chat/completions");
    }

    [Fact]
    public async Task ChatCompletions_PlaceholderServes_MatchesCreateChatCompletionResponse()
    {
        var (status, json) = await PostAsync("/v1/chat/completions", """{"model":"text","messages":[{"role":"user","content":"schema check [fail:unavailable]"}]}""");

        Assert.True(status == HttpStatusCode.OK, json);
        await OpenAISchemas.AssertValidAsync("CreateChatCompletionResponse", json, "POST /v1/chat/completions served by the placeholder");
    }

    [Fact]
    public async Task ChatCompletions_EmptyOutput_MatchesCreateChatCompletionResponse()
    {
        var (status, json) = await PostAsync("/v1/chat/completions", """{"model":"text","messages":[{"role":"user","content":"schema check [empty]"}]}""");

        // Either an empty completion or an OpenAI error; both must keep their shapes.
        await OpenAISchemas.AssertValidAsync(status == HttpStatusCode.OK ? "CreateChatCompletionResponse" : "ErrorResponse", json, $"POST /v1/chat/completions with [empty] ({(int)status})");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ChatCompletionsStream_EveryChunk_MatchesCreateChatCompletionStreamResponse(bool includeUsage)
    {
        var body = includeUsage
            ? """{"model":"text","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"stream schema check"}]}"""
            : """{"model":"text","stream":true,"messages":[{"role":"user","content":"stream schema check"}]}""";
        using var http = _gateway.CreateHttpClient(_gateway.AdminKey);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/v1/chat/completions", UriKind.Relative)) { Content = Json(body) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Cancel);
        var text = await response.Content.ReadAsStringAsync(Cancel);

        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1];
        Assert.True(chunks.Length >= 3, $"expected several chunks:\n{text}");
        foreach (var chunk in chunks)
        {
            Assert.StartsWith("data: ", chunk, StringComparison.Ordinal);
            await OpenAISchemas.AssertValidAsync("CreateChatCompletionStreamResponse", chunk["data: ".Length..], "a stream chunk");
        }

        using var last = JsonDocument.Parse(chunks[^1]["data: ".Length..]);
        if (includeUsage)
        {
            Assert.Equal(0, last.RootElement.GetProperty("choices").GetArrayLength());
            Assert.True(last.RootElement.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
        }
        else
        {
            Assert.Equal("stop", last.RootElement.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        }
    }

    [Fact]
    public async Task Models_List_MatchesListModelsResponse()
    {
        using var http = _gateway.CreateHttpClient(_gateway.AdminKey);
        using var response = await http.GetAsync(new Uri("/v1/models", UriKind.Relative), Cancel);
        var json = await response.Content.ReadAsStringAsync(Cancel);

        Assert.True(response.StatusCode == HttpStatusCode.OK, json);
        await OpenAISchemas.AssertValidAsync("ListModelsResponse", json, "GET /v1/models");
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"text","temperature":5,"messages":[{"role":"user","content":"hi"}]}""", "temperature")]
    [InlineData("/v1/chat/completions", """{"model":"text"}""", "messages")]
    [InlineData("/v1/images/generations", """{"model":"image","prompt":"x","size":"huge"}""", "size")]
    [InlineData("/v1/audio/speech", """{"model":"speech","input":"x","voice":"alloy","response_format":"ogg"}""", "response_format")]
    public async Task Errors_BadField_400MatchesErrorResponseNamingParam(string path, string body, string param)
    {
        var (status, json) = await PostAsync(path, body);

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {json}");
        await AssertErrorBodyAsync(json, $"400 from POST {path}", expectRunId: true);
        using var document = JsonDocument.Parse(json);
        Assert.Equal(param, document.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Errors_MalformedJson_400MatchesErrorResponse()
    {
        var (status, json) = await PostAsync("/v1/chat/completions", """{"model":"text","messages":[""");

        Assert.True(status == HttpStatusCode.BadRequest, $"{(int)status}: {json}");
        await AssertErrorBodyAsync(json, "400 for malformed JSON", expectRunId: true);
    }

    [Theory]
    [InlineData("/v1/chat/completions", """{"model":"no-such-model","messages":[{"role":"user","content":"hi"}]}""")]
    [InlineData("/v1/images/generations", """{"model":"no-such-model","prompt":"x"}""")]
    [InlineData("/v1/audio/speech", """{"model":"no-such-model","input":"x","voice":"alloy"}""")]
    public async Task Errors_UnknownModel_404MatchesErrorResponse(string path, string body)
    {
        var (status, json) = await PostAsync(path, body);

        Assert.True(status == HttpStatusCode.NotFound, $"{(int)status}: {json}");
        await AssertErrorBodyAsync(json, $"404 from POST {path}", expectRunId: true);
        using var document = JsonDocument.Parse(json);
        Assert.Equal("model", document.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sy_WrongWrong0000_000000000000000000000000")]
    [InlineData("nonsense")]
    public async Task Errors_BadKey_401MatchesErrorResponse(string? key)
    {
        using var http = _gateway.CreateHttpClient(key);
        using var response = await http.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), Json("""{"model":"text","messages":[{"role":"user","content":"hi"}]}"""), Cancel);
        var json = await response.Content.ReadAsStringAsync(Cancel);

        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{(int)response.StatusCode}: {json}");
        await AssertErrorBodyAsync(json, "401", expectRunId: false);
    }

    [Fact]
    public async Task Errors_AllProvidersRejectContent_ErrorMatchesErrorResponse()
    {
        var (status, json) = await PostAsync("/v1/chat/completions", """{"model":"sandbox-a/sandbox-text","messages":[{"role":"user","content":"[fail:content_rejected]"}]}""");

        Assert.True((int)status is >= 400 and < 600, $"{(int)status}: {json}");
        await AssertErrorBodyAsync(json, $"{(int)status} when the only provider rejects the content", expectRunId: true);
    }

    private static async Task AssertErrorBodyAsync(string json, string what, bool expectRunId)
    {
        await OpenAISchemas.AssertValidAsync("ErrorResponse", json, what);
        using var document = JsonDocument.Parse(json);
        var error = document.RootElement.GetProperty("error");
        foreach (var key in new[] { "message", "type", "param", "code" })
        {
            Assert.True(error.TryGetProperty(key, out _), $"{what}: error.{key} is missing in {json}");
        }

        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()), $"{what}: empty message");
        if (expectRunId)
        {
            Assert.True(document.RootElement.TryGetProperty("run_id", out var runId) && runId.GetString() is { } id && id.StartsWith("run_", StringComparison.Ordinal), $"{what}: no run_id in {json}");
        }
    }

    private async Task<(HttpStatusCode Status, string Json)> PostAsync(string path, string body)
    {
        using var http = _gateway.CreateHttpClient(_gateway.AdminKey);
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), Json(body), Cancel);
        var json = await response.Content.ReadAsStringAsync(Cancel);
        if (response.StatusCode != HttpStatusCode.OK || path != "/v1/audio/speech")
        {
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }

        return (response.StatusCode, json);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
