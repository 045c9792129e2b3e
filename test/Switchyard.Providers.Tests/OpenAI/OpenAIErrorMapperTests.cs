using System.Net.Http.Headers;
using Switchyard.Generation;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Tests.OpenAI;

public sealed class OpenAIErrorMapperTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 11, 7, 13, 27, TimeSpan.Zero);

    private static string OpenAIBody(string message, string type, string? param, string? code) =>
        new System.Text.Json.Nodes.JsonObject
        {
            ["error"] = new System.Text.Json.Nodes.JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code },
        }.ToJsonString();

    private static HttpResponseHeaders Headers(params (string Name, string Value)[] values)
    {
        var response = new HttpResponseMessage();
        foreach (var (name, value) in values)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response.Headers;
    }

    private static ProviderFailure Map(int status, string? body, HttpResponseHeaders? headers = null, string? secret = null) =>
        OpenAIErrorMapper.FromResponse("openai", status, body, headers ?? Headers(), Now, secret);

    [Fact]
    public void FromResponse_401_IsAuthWithBodyCode()
    {
        var failure = Map(401, OpenAIBody("Incorrect API key provided: sk-proj-abcdefghijklmnop.", "invalid_request_error", null, "invalid_api_key"));

        Assert.Equal(ErrorClass.Auth, failure.Class);
        Assert.Equal(401, failure.HttpStatus);
        Assert.Equal("invalid_api_key", failure.Code);
        Assert.DoesNotContain("sk-proj-abcdefghijklmnop", failure.Message, StringComparison.Ordinal);
        Assert.Contains("[redacted]", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_403_IsAuth()
    {
        var failure = Map(403, OpenAIBody("Country, region, or territory not supported", "request_forbidden", null, "unsupported_country_region_territory"));

        Assert.Equal(ErrorClass.Auth, failure.Class);
        Assert.Equal("unsupported_country_region_territory", failure.Code);
    }

    [Fact]
    public void FromResponse_429WithRetryAfterSeconds_IsRateLimitedWithDelay()
    {
        var failure = Map(429, OpenAIBody("Rate limit reached", "requests", null, "rate_limit_exceeded"), Headers(("retry-after", "7")));

        Assert.Equal(ErrorClass.RateLimited, failure.Class);
        Assert.True(failure.IsTransient);
        Assert.Equal(TimeSpan.FromSeconds(7), failure.RetryAfter);
        Assert.Equal("rate_limit_exceeded", failure.Code);
    }

    [Fact]
    public void FromResponse_429WithRetryAfterMs_PrefersMilliseconds()
    {
        var failure = Map(429, OpenAIBody("Rate limit reached", "requests", null, "rate_limit_exceeded"), Headers(("retry-after-ms", "1500"), ("retry-after", "2")));

        Assert.Equal(TimeSpan.FromMilliseconds(1500), failure.RetryAfter);
    }

    [Fact]
    public void FromResponse_429WithHttpDate_IsDelayFromNow()
    {
        var failure = Map(429, null, Headers(("retry-after", Now.AddSeconds(30).ToString("R"))));

        Assert.Equal(ErrorClass.RateLimited, failure.Class);
        Assert.Equal(TimeSpan.FromSeconds(30), failure.RetryAfter);
    }

    [Fact]
    public void FromResponse_429WithRateLimitResetHeaders_UsesTheExhaustedLimit()
    {
        var failure = Map(429, null, Headers(
            ("x-ratelimit-remaining-requests", "0"), ("x-ratelimit-reset-requests", "6m0s"),
            ("x-ratelimit-remaining-tokens", "1000"), ("x-ratelimit-reset-tokens", "20ms")));

        Assert.Equal(TimeSpan.FromMinutes(6), failure.RetryAfter);
    }

    [Fact]
    public void FromResponse_InsufficientQuota_IsMisconfiguredNotTransient()
    {
        var failure = Map(429, OpenAIBody("You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", null, "insufficient_quota"), Headers(("retry-after", "1")));

        Assert.Equal(ErrorClass.Misconfigured, failure.Class);
        Assert.False(failure.IsTransient);
        Assert.Equal("insufficient_quota", failure.Code);
        Assert.Contains("quota exhausted: add credit or raise the limit", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("content_policy_violation", "Your request was rejected as a result of our safety system.")]
    [InlineData("moderation_blocked", "Your request was rejected by the safety system.")]
    [InlineData(null, "Your prompt may contain text that is not allowed by our safety system.")]
    public void FromResponse_400PolicyRejection_IsContentRejected(string? code, string message)
    {
        var failure = Map(400, OpenAIBody(message, "invalid_request_error", null, code));

        Assert.Equal(ErrorClass.ContentRejected, failure.Class);
        Assert.Equal(code ?? "content_policy_violation", failure.Code);
    }

    [Fact]
    public void FromResponse_Other400_IsInvalidRequestKeepingMessageAndParam()
    {
        var failure = Map(400, OpenAIBody("Invalid value: '999x999'. Supported values are: '1024x1024'.", "invalid_request_error", "size", "invalid_value"));

        Assert.Equal(ErrorClass.InvalidRequest, failure.Class);
        Assert.Equal("invalid_value", failure.Code);
        Assert.Contains("Invalid value: '999x999'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("param: size", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_404UnknownModel_IsMisconfiguredModelNotFound()
    {
        var failure = Map(404, OpenAIBody("The model `gpt-9` does not exist or you do not have access to it.", "invalid_request_error", null, "model_not_found"));

        Assert.Equal(ErrorClass.Misconfigured, failure.Class);
        Assert.Equal("model_not_found", failure.Code);
    }

    [Fact]
    public void FromResponse_404WithoutBody_IsMisconfiguredNamingBaseUrl()
    {
        var failure = Map(404, "404 page not found");

        Assert.Equal(ErrorClass.Misconfigured, failure.Class);
        Assert.Contains("base_url", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public void FromResponse_ServerErrors_AreUnavailable(int status)
    {
        var failure = Map(status, OpenAIBody("The server had an error while processing your request. Sorry about that!", "server_error", null, null));

        Assert.Equal(ErrorClass.Unavailable, failure.Class);
        Assert.Equal(status, failure.HttpStatus);
        Assert.True(failure.IsTransient);
    }

    [Fact]
    public void FromResponse_HtmlBody_UsesReasonPhraseOnly()
    {
        var failure = Map(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");

        Assert.Equal(ErrorClass.Unavailable, failure.Class);
        Assert.Equal("openai: HTTP 502: Bad Gateway", failure.Message);
    }

    [Fact]
    public void FromResponse_AimlApiFlatBody_ReadsMessage()
    {
        var body = """{"message":"Free-tier limit: You've reached your free limit for the hour.","path":"/v1/images/generations","requestId":"798b860e","statusCode":429,"timestamp":"2025-03-11T07:13:27.813Z"}""";

        var failure = Map(429, body);

        Assert.Equal(ErrorClass.RateLimited, failure.Class);
        Assert.Contains("Free-tier limit", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_AimlApiValidationArray_JoinsMessages()
    {
        var failure = Map(400, """{"message":["prompt must be a string","image_size must be an object"],"statusCode":400}""");

        Assert.Equal(ErrorClass.InvalidRequest, failure.Class);
        Assert.Contains("prompt must be a string; image_size must be an object", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromResponse_OllamaStringError_IsRead()
    {
        var failure = Map(404, """{"error":"model \"llama9\" not found, try pulling it first"}""");

        Assert.Equal(ErrorClass.Misconfigured, failure.Class);
        Assert.Equal("model_not_found", failure.Code);
    }

    [Fact]
    public void FromResponse_VllmFlatBodyWithNumericCode_IsInvalidRequest()
    {
        var failure = Map(400, """{"object":"error","message":"max_tokens is too large","type":"BadRequestError","param":null,"code":400}""");

        Assert.Equal(ErrorClass.InvalidRequest, failure.Class);
        Assert.Equal("400", failure.Code);
    }

    [Fact]
    public void FromResponse_EchoedSecretAndBearer_AreRedacted()
    {
        var failure = Map(400, OpenAIBody("bad header Bearer abc.def and key mysecretvalue123", "invalid_request_error", null, null), secret: "mysecretvalue123");

        Assert.DoesNotContain("mysecretvalue123", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("abc.def", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromException_ConnectionRefused_IsUnavailableAtSend()
    {
        var failure = OpenAIErrorMapper.FromException("openai", new HttpRequestException("Connection refused (127.0.0.1:1)", new System.Net.Sockets.SocketException(111)), "send");

        Assert.Equal(ErrorClass.Unavailable, failure.Class);
        Assert.Equal("connection_failed", failure.Code);
        Assert.Equal("send", failure.Step);
    }

    [Theory]
    [InlineData("1s", 1000)]
    [InlineData("6m0s", 360_000)]
    [InlineData("20ms", 20)]
    [InlineData("1h2m3.5s", 3_723_500)]
    public void ParseGoDuration_ReadsOpenAIResetValues(string text, double millis)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(millis), OpenAIErrorMapper.ParseGoDuration(text));
    }

    [Fact]
    public void FromStreamError_ServerError_IsUnavailable()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"message":"The server had an error","type":"server_error","param":null,"code":null}""");

        var failure = OpenAIErrorMapper.FromStreamError("openai", document.RootElement);

        Assert.Equal(ErrorClass.Unavailable, failure.Class);
        Assert.Equal("server_error", failure.Code);
    }
}
