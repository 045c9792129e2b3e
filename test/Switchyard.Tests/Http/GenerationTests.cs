using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Providers.Media;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>What the generation endpoints serve, and how fallback shows in headers and the ledger.</summary>
public sealed class GenerationTests : IClassFixture<GatewayFactory>
{
    private readonly GatewayFactory _factory;

    public GenerationTests(GatewayFactory factory)
    {
        _factory = factory;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(HttpResponseMessage Response, JsonElement Body)> PostAsync(string path, object body)
    {
        var client = _factory.CreateClientWithKey();
        var response = await client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response, text.Length > 0 && text[0] == '{' ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    [Theory]
    [InlineData(1, "1024x1024")]
    [InlineData(4, "256x256")]
    [InlineData(2, "1536x1024")]
    public async Task Images_B64_RealPngsOfRequestedSizeAndCount(int n, string size)
    {
        var (response, body) = await PostAsync("/v1/images/generations", new { model = "image", prompt = "a lighthouse at dusk", n, size });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = body.GetProperty("data");
        Assert.Equal(n, data.GetArrayLength());
        var parts = size.Split('x').Select(int.Parse).ToArray();
        foreach (var item in data.EnumerateArray())
        {
            var png = Convert.FromBase64String(item.GetProperty("b64_json").GetString()!);
            var found = ImageInspector.Inspect(png);
            Assert.NotNull(found);
            Assert.Equal("image/png", found.Value.ContentType);
            Assert.Equal((parts[0], parts[1]), (found.Value.Width, found.Value.Height));
        }

        Assert.Equal("true", HttpAssert.Header(response, "x-switchyard-sandbox"));
        Assert.Null(HttpAssert.Header(response, "x-switchyard-degraded"));
    }

    [Fact]
    public async Task Images_UnsupportedSizeOnSandbox_PlaceholderServesDegraded()
    {
        var (response, _) = await PostAsync("/v1/images/generations", new { model = "image", prompt = "odd size", size = "640x480" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("placeholder", HttpAssert.Header(response, "x-switchyard-provider"));
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(response));
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal("not_capable", attempts[0].GetProperty("skip_reason").GetString());
        Assert.Equal("skipped", attempts[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task Images_FirstTierUnavailable_SecondTierServesAndLedgerShowsBoth()
    {
        var (response, _) = await PostAsync("/v1/images/generations", new { model = "image", prompt = "a fox [fail:unavailable@sandbox-a]" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox-b", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Equal("sandbox-b/sandbox-image", HttpAssert.Header(response, "x-switchyard-model"));
        Assert.Equal("true", HttpAssert.Header(response, "x-switchyard-degraded"));
        Assert.Equal("2", HttpAssert.Header(response, "x-switchyard-attempts"));
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(response));
        Assert.Equal("degraded", run.GetProperty("outcome").GetString());
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        Assert.Equal(["failed", "success"], attempts.Select(a => a.GetProperty("status").GetString()));
        Assert.Equal("unavailable", attempts[0].GetProperty("error_class").GetString());
        Assert.Equal(503, attempts[0].GetProperty("http_status").GetInt32());
    }

    [Theory]
    [InlineData("unavailable")]
    [InlineData("rate_limited")]
    [InlineData("content_rejected")]
    public async Task Images_EverySandboxFails_PlaceholderServesRealPng(string errorClass)
    {
        var (response, body) = await PostAsync("/v1/images/generations", new { model = "image", prompt = $"a fox [fail:{errorClass}]", size = "512x512" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("placeholder", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Equal("true", HttpAssert.Header(response, "x-switchyard-degraded"));
        var png = Convert.FromBase64String(body.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
        Assert.Equal((512, 512), ImageInspector.GetSize(png));
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(response));
        var attempts = run.GetProperty("attempts").EnumerateArray().ToList();
        Assert.All(attempts.Take(2), a => Assert.Equal(errorClass, a.GetProperty("error_class").GetString()));
        Assert.Contains($"sandbox-a/sandbox-image: {errorClass}", run.GetProperty("error_message").GetString(), StringComparison.Ordinal);
        Assert.Equal(errorClass == "content_rejected" ? "sandbox-a/sandbox-image, sandbox-b/sandbox-image" : null, HttpAssert.Header(response, "x-switchyard-content-rejected"));
    }

    [Fact]
    public async Task Images_EmptyOutput_RecordedAsEmptyOutputAndFallsBack()
    {
        var (response, _) = await PostAsync("/v1/images/generations", new { model = "image", prompt = "nothing [empty]" });

        Assert.Equal("placeholder", HttpAssert.Header(response, "x-switchyard-provider"));
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(response));
        var first = run.GetProperty("attempts")[0];
        Assert.Equal("unavailable", first.GetProperty("error_class").GetString());
        Assert.Equal("empty_output", first.GetProperty("error_code").GetString());
    }

    [Fact]
    public async Task Images_ContentRejectedOnFailRoute_400NamingPromptWithRun()
    {
        var (response, body) = await PostAsync("/v1/images/generations", new { model = "strict-image", prompt = "forbidden [fail:content_rejected]" });

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, "prompt", "content_rejected");
        Assert.Contains("sandbox-a/sandbox-image: content_rejected", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpAssert.RunId(response), body.GetProperty("run_id").GetString());
    }

    [Fact]
    public async Task Images_UrlFormat_SignedLinkWorksWithoutKeyAndTamperingFails()
    {
        var (response, body) = await PostAsync("/v1/images/generations", new { model = "image", prompt = "a harbour", size = "256x256", response_format = "url" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var url = new Uri(body.GetProperty("data")[0].GetProperty("url").GetString()!);

        using var anonymous = _factory.CreateClient();
        using var image = await anonymous.GetAsync(url.PathAndQuery, Ct);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal((256, 256), ImageInspector.GetSize(await image.Content.ReadAsByteArrayAsync(Ct)));

        using var tampered = await anonymous.GetAsync(url.PathAndQuery.Replace("sig=", "sig=x", StringComparison.Ordinal), Ct);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);

        using var unsigned = await anonymous.GetAsync(url.AbsolutePath, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, unsigned.StatusCode);

        using var owner = _factory.CreateClientWithKey();
        using var withKey = await owner.GetAsync(url.AbsolutePath, Ct);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }

    [Fact]
    public async Task Run_TraceId_TheCallersTraceparentElseOneOfItsOwn()
    {
        // No OTLP endpoint in this config, so no spans are built: the run still carries a W3C trace id.
        var client = _factory.CreateClientWithKey();
        using var traced = new HttpRequestMessage(HttpMethod.Post, "/v1/images/generations") { Content = JsonContent.Create(new { model = "image", prompt = "a fox" }) };
        traced.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        using var withParent = await client.SendAsync(traced, Ct);
        var (withoutParent, _) = await PostAsync("/v1/images/generations", new { model = "image", prompt = "a fox" });

        using var admin = _factory.CreateClientWithKey();
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", (await HttpAssert.RunAsync(admin, HttpAssert.RunId(withParent))).GetProperty("trace_id").GetString());
        var own = (await HttpAssert.RunAsync(admin, HttpAssert.RunId(withoutParent))).GetProperty("trace_id").GetString();
        Assert.Matches("^[0-9a-f]{32}$", own);
        Assert.NotEqual("4bf92f3577b34da6a3ce929d0e0e4736", own);
    }

    [Fact]
    public async Task Images_Preset_AppliesTemplateAndIsRecorded()
    {
        var (response, _) = await PostAsync("/v1/images/generations", new { model = "watercolor", prompt = "a fox" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var admin = _factory.CreateClientWithKey();
        var run = await HttpAssert.RunAsync(admin, HttpAssert.RunId(response));
        Assert.Equal("watercolor", run.GetProperty("preset").GetString());
        Assert.Equal("image", run.GetProperty("route").GetString());
        Assert.Equal("a fox, in soft watercolor", run.GetProperty("prompt_preview").GetString());
    }

    [Fact]
    public async Task Images_DirectProviderModel_ServedByThatProviderOnly()
    {
        var (response, _) = await PostAsync("/v1/images/generations", new { model = "sandbox-b/sandbox-image", prompt = "a fox" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox-b", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Equal("1", HttpAssert.Header(response, "x-switchyard-attempts"));
    }

    [Fact]
    public async Task Speech_Wav_ValidHeaderAndDuration()
    {
        using var client = _factory.CreateClientWithKey();
        using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "speech", input = "The quick brown fox.", voice = "alloy", response_format = "wav" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("audio/wav", response.Content.Headers.ContentType?.MediaType);
        var duration = AudioInspector.GetWavDuration(await response.Content.ReadAsByteArrayAsync(Ct));
        Assert.NotNull(duration);
        Assert.True(duration > TimeSpan.FromMilliseconds(200));
        Assert.Equal("sandbox-a", HttpAssert.Header(response, "x-switchyard-provider"));
    }

    [Fact]
    public async Task Speech_Pcm_EvenLengthRawSamples()
    {
        using var client = _factory.CreateClientWithKey();
        using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "speech", input = "Hello.", voice = "nova", response_format = "pcm" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);
        Assert.True(bytes.Length > 4800);
        Assert.Equal(0, bytes.Length % 2);
    }

    [Fact]
    public async Task Speech_Aac_NoProviderCapable_400SaysWhy()
    {
        var (response, body) = await PostAsync("/v1/audio/speech", new { model = "speech", input = "Hello.", voice = "alloy", response_format = "aac" });

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, null, "not_capable");
        Assert.Contains("aac", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Speech_Mp3_ServedWhenEncoderPresentOtherwise400NamingTheProgram()
    {
        using var client = _factory.CreateClientWithKey();
        using var response = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "speech", input = "Hello.", voice = "alloy" }, Ct);
        var bytes = await response.Content.ReadAsByteArrayAsync(Ct);

        if (AudioEncoder.Default.IsAvailable(Switchyard.Generation.AudioFormat.Mp3))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.True(AudioInspector.HasSignature(Switchyard.Generation.AudioFormat.Mp3, bytes));
        }
        else
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("lame", System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ChatStream_SseChunksEndWithDone()
    {
        using var client = _factory.CreateClientWithKey();
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", stream = true, messages = new[] { new { role = "user", content = "tell me a story" } } }, Ct);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = (await response.Content.ReadAsStringAsync(Ct)).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToList();
        Assert.True(chunks.Count >= 3);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        var text = string.Concat(chunks.Select(c => c.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var t) ? t.GetString() : ""));
        Assert.StartsWith("[sandbox]", text, StringComparison.Ordinal);
        Assert.Equal("stop", chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }

    [Fact]
    public async Task ChatStream_FirstTierFailsBeforeFirstToken_FallsBack()
    {
        using var client = _factory.CreateClientWithKey();
        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", stream = true, messages = new[] { new { role = "user", content = "hi [fail:rate_limited@sandbox-a]" } } }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sandbox-b", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.EndsWith("data: [DONE]\n\n", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(response));
        Assert.Equal("degraded", run.GetProperty("outcome").GetString());
        Assert.Equal("rate_limited", run.GetProperty("attempts")[0].GetProperty("error_class").GetString());
    }

    [Fact]
    public async Task Models_ListsRoutesPresetsAndProviderModels()
    {
        using var client = _factory.CreateClientWithKey();
        var body = await client.GetFromJsonAsync<JsonElement>("/v1/models", Ct);

        var ids = body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains("image", ids);
        Assert.Contains("text", ids);
        Assert.Contains("speech", ids);
        Assert.Contains("watercolor", ids);
        Assert.Contains("sandbox-a/sandbox-image", ids);
        Assert.Equal("list", body.GetProperty("object").GetString());
    }

    [Fact]
    public async Task Health_HealthzAndReadyz_Ok()
    {
        using var client = _factory.CreateClient();

        using var live = await client.GetAsync("/healthz", Ct);
        using var ready = await client.GetAsync("/readyz", Ct);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var body = await ready.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("ready", body.GetProperty("status").GetString());
        Assert.StartsWith("ok", body.GetProperty("checks").GetProperty("database").GetString(), StringComparison.Ordinal);
        Assert.Matches("^ok \\([0-9]+ writes waiting\\)$", body.GetProperty("checks").GetProperty("ledger").GetString());
    }
}
