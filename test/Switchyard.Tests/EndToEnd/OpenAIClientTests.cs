using System.ClientModel;
using System.ClientModel.Primitives;
using System.Buffers.Binary;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Audio;
using OpenAI.Chat;
using OpenAI.Images;
using OpenAI.Models;

namespace Switchyard.Tests.EndToEnd;

/// <summary>The official OpenAI .NET client against a running gateway: only the base URL and the key change.</summary>
public sealed class OpenAIClientTests : IClassFixture<GatewayProcess>
{
    private readonly GatewayProcess _gateway;
    private readonly OpenAIClient _client;

    public OpenAIClientTests(GatewayProcess gateway)
    {
        _gateway = gateway;
        _client = CreateClient(gateway.AdminKey!);
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GenerateImage_Bytes1024_ReturnsPngOf1024x1024()
    {
        var images = _client.GetImageClient("image");

        var result = await images.GenerateImageAsync("a lighthouse at dusk", new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            ResponseFormat = GeneratedImageFormat.Bytes,
        }, Cancel);

        var png = result.Value.ImageBytes.ToArray();
        Assert.Equal((1024, 1024), PngSize(png));
        AssertRunHeaders(result.GetRawResponse());
    }

    [Fact]
    public async Task GenerateImages_TwoImages_ReturnsTwoPngs()
    {
        var images = _client.GetImageClient("image");

        var result = await images.GenerateImagesAsync("two lighthouses", 2, new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            ResponseFormat = GeneratedImageFormat.Bytes,
        }, Cancel);

        Assert.Equal(2, result.Value.Count);
        Assert.All(result.Value, image => Assert.Equal((1024, 1024), PngSize(image.ImageBytes.ToArray())));
    }

    [Fact]
    public async Task GenerateImage_UriFormat_LinkDownloadsPngWithoutKey()
    {
        var images = _client.GetImageClient("image");

        var result = await images.GenerateImageAsync("a lighthouse by url", new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            ResponseFormat = GeneratedImageFormat.Uri,
        }, Cancel);

        var uri = result.Value.ImageUri;
        Assert.NotNull(uri);
        Assert.True(uri.IsAbsoluteUri, $"not absolute: {uri}");
        // Only the gateway under test is ever contacted.
        Assert.Equal("127.0.0.1", uri.Host);
        Assert.Equal(_gateway.Port, uri.Port);

        using var anonymous = new HttpClient();
        using var response = await anonymous.GetAsync(uri, Cancel);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/png", response.Content.Headers.ContentType?.MediaType);
        var png = await response.Content.ReadAsByteArrayAsync(Cancel);
        Assert.Equal((1024, 1024), PngSize(png));
    }

    [Fact]
    public async Task CompleteChat_SimplePrompt_ReturnsSandboxText()
    {
        var chat = _client.GetChatClient("text");

        var result = await chat.CompleteChatAsync([new UserChatMessage("Say hello")], cancellationToken: Cancel);

        var completion = result.Value;
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        var text = string.Concat(completion.Content.Select(p => p.Text));
        Assert.False(string.IsNullOrWhiteSpace(text));
        Assert.Contains("[sandbox]", text, StringComparison.Ordinal);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        AssertRunHeaders(result.GetRawResponse());
        Assert.Equal("sandbox-a", Header(result.GetRawResponse(), "x-switchyard-provider"));
        Assert.Null(Header(result.GetRawResponse(), "x-switchyard-degraded"));
    }

    [Fact]
    public async Task CompleteChatStreaming_SimplePrompt_StreamsTextAndStop()
    {
        var chat = _client.GetChatClient("text");
        var updates = 0;
        var text = new StringBuilder();
        ChatFinishReason? finish = null;

        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Stream a reply")], cancellationToken: Cancel))
        {
            updates++;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.True(updates >= 3, $"expected several updates, got {updates}");
        Assert.False(string.IsNullOrWhiteSpace(text.ToString()));
        Assert.Contains("[sandbox]", text.ToString(), StringComparison.Ordinal);
        Assert.Equal(ChatFinishReason.Stop, finish);
    }

    [Fact]
    public async Task GenerateSpeech_Wav_ReturnsRiffWave()
    {
        var audio = _client.GetAudioClient("speech");

        var result = await audio.GenerateSpeechAsync("Hello from the tests", GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Wav }, Cancel);

        var wav = result.Value.ToArray();
        Assert.True(wav.Length > 44, $"only {wav.Length} bytes");
        Assert.Equal("RIFF", Encoding.ASCII.GetString(wav, 0, 4));
        Assert.Equal("WAVE", Encoding.ASCII.GetString(wav, 8, 4));
        AssertRunHeaders(result.GetRawResponse());
    }

    [Fact]
    public async Task GenerateSpeech_Mp3_ReturnsMp3OrSaysWhichProgramIsMissing()
    {
        var audio = _client.GetAudioClient("speech");
        ClientResult<BinaryData> result;
        try
        {
            result = await audio.GenerateSpeechAsync("Hello in mp3", GeneratedSpeechVoice.Alloy, new SpeechGenerationOptions { ResponseFormat = GeneratedSpeechFormat.Mp3 }, Cancel);
        }
        catch (ClientResultException ex)
        {
            // Without lame the gateway reports that no provider can make mp3 here, and why.
            var body = ex.GetRawResponse()?.Content.ToString() ?? "";
            Assert.True(ex.Status == 400, $"status {ex.Status}: {body}");
            Assert.Contains("lame", body, StringComparison.Ordinal);
            return;
        }

        var mp3 = result.Value.ToArray();
        Assert.True(mp3.Length > 4, $"only {mp3.Length} bytes");
        var id3 = mp3[0] == 'I' && mp3[1] == 'D' && mp3[2] == '3';
        var frameSync = mp3[0] == 0xFF && (mp3[1] & 0xE0) == 0xE0;
        Assert.True(id3 || frameSync, $"not mp3: starts with {Convert.ToHexString(mp3, 0, 4)}");
        Assert.Equal("audio/mpeg", Header(result.GetRawResponse(), "content-type"));
    }

    [Fact]
    public async Task GetModels_AdminKey_ListsEveryRoute()
    {
        var models = _client.GetOpenAIModelClient();

        var result = await models.GetModelsAsync(Cancel);

        var ids = result.Value.Select(m => m.Id).ToList();
        Assert.Contains("image", ids);
        Assert.Contains("text", ids);
        Assert.Contains("speech", ids);
    }

    [Fact]
    public async Task CompleteChat_WrongKey_Throws401()
    {
        var chat = CreateClient("sy_WrongWrong0000_000000000000000000000000").GetChatClient("text");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Cancel));

        Assert.Equal(401, ex.Status);
    }

    [Fact]
    public async Task GetModels_WrongKey_Throws401()
    {
        var models = CreateClient("not-a-switchyard-key").GetOpenAIModelClient();

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => models.GetModelsAsync(Cancel));

        Assert.Equal(401, ex.Status);
    }

    [Fact]
    public async Task CompleteChat_UnknownModel_Throws404()
    {
        var chat = _client.GetChatClient("no-such-model");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hi")], cancellationToken: Cancel));

        Assert.Equal(404, ex.Status);
        var body = ex.GetRawResponse()?.Content.ToString() ?? "";
        Assert.Contains("no-such-model", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GenerateImage_UnknownModel_Throws404()
    {
        var images = _client.GetImageClient("no-such-image-model");

        var ex = await Assert.ThrowsAsync<ClientResultException>(() => images.GenerateImageAsync("x", new ImageGenerationOptions { ResponseFormat = GeneratedImageFormat.Bytes }, Cancel));

        Assert.Equal(404, ex.Status);
    }

    [Fact]
    public async Task CompleteChat_FirstTierUnavailable_ServedDegradedBySecondTier()
    {
        var chat = _client.GetChatClient("text");

        var result = await chat.CompleteChatAsync([new UserChatMessage("fallback please [fail:unavailable@sandbox-a]")], cancellationToken: Cancel);

        var raw = result.GetRawResponse();
        AssertRunHeaders(raw);
        Assert.Equal("sandbox-b", Header(raw, "x-switchyard-provider"));
        Assert.Equal("sandbox-b/sandbox-text", Header(raw, "x-switchyard-model"));
        Assert.Equal("true", Header(raw, "x-switchyard-degraded"));
        Assert.Contains("[sandbox]", result.Value.Content[0].Text, StringComparison.Ordinal);

        var run = await GetRunAsync(Header(raw, "x-switchyard-run-id")!);
        var attempts = Attempts(run);
        AssertAttemptsInOrder(attempts);
        Assert.Equal("degraded", run.GetProperty("outcome").GetString());
        Assert.Equal(int.Parse(Header(raw, "x-switchyard-attempts")!, System.Globalization.CultureInfo.InvariantCulture), attempts.Count);
        var failed = attempts[..^1];
        Assert.NotEmpty(failed);
        Assert.All(failed, a =>
        {
            Assert.Equal("sandbox-a", a.GetProperty("provider").GetString());
            Assert.Equal("failed", a.GetProperty("status").GetString());
            Assert.Equal("unavailable", a.GetProperty("error_class").GetString());
        });
        Assert.Equal("sandbox-b", attempts[^1].GetProperty("provider").GetString());
        Assert.Equal("success", attempts[^1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompleteChat_EverySandboxUnavailable_PlaceholderServesAndRunListsAttempts()
    {
        var chat = _client.GetChatClient("text");

        var result = await chat.CompleteChatAsync([new UserChatMessage("everything is down [fail:unavailable]")], cancellationToken: Cancel);

        var raw = result.GetRawResponse();
        AssertRunHeaders(raw);
        Assert.Equal("placeholder", Header(raw, "x-switchyard-provider"));
        Assert.Equal("true", Header(raw, "x-switchyard-degraded"));
        Assert.False(string.IsNullOrEmpty(result.Value.Content[0].Text));

        var run = await GetRunAsync(Header(raw, "x-switchyard-run-id")!);
        Assert.Equal("degraded", run.GetProperty("outcome").GetString());
        Assert.Equal("placeholder", run.GetProperty("provider").GetString());
        var attempts = Attempts(run);
        AssertAttemptsInOrder(attempts);
        var providers = attempts.Select(a => a.GetProperty("provider").GetString()).ToList();
        // Tier order: every sandbox-a attempt, then every sandbox-b attempt, then the placeholder.
        Assert.Equal(["sandbox-a", "sandbox-b", "placeholder"], providers.Distinct().ToList());
        Assert.Equal(providers.OrderBy(p => p == "sandbox-a" ? 0 : p == "sandbox-b" ? 1 : 2).ToList(), providers);
        Assert.All(attempts[..^1], a =>
        {
            Assert.Equal("failed", a.GetProperty("status").GetString());
            Assert.Equal("unavailable", a.GetProperty("error_class").GetString());
        });
        Assert.Equal("placeholder", attempts[^1].GetProperty("provider").GetString());
        Assert.Equal("success", attempts[^1].GetProperty("status").GetString());
    }

    [Fact]
    public async Task GenerateImage_FirstTierUnavailable_HeadersNameSecondTier()
    {
        var images = _client.GetImageClient("image");

        var result = await images.GenerateImageAsync("[fail:unavailable@sandbox-a] a fallback picture", new ImageGenerationOptions
        {
            Size = GeneratedImageSize.W1024xH1024,
            ResponseFormat = GeneratedImageFormat.Bytes,
        }, Cancel);

        var raw = result.GetRawResponse();
        AssertRunHeaders(raw);
        Assert.Equal("sandbox-b", Header(raw, "x-switchyard-provider"));
        Assert.Equal("true", Header(raw, "x-switchyard-degraded"));
        Assert.Equal((1024, 1024), PngSize(result.Value.ImageBytes.ToArray()));
    }

    private OpenAIClient CreateClient(string key) => new(new ApiKeyCredential(key), new OpenAIClientOptions
    {
        Endpoint = _gateway.OpenAIEndpoint,
        // A retried request would hide what the gateway answered first.
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromSeconds(60),
    });

    private async Task<JsonElement> GetRunAsync(string runId)
    {
        using var http = _gateway.CreateHttpClient(_gateway.AdminKey);
        using var response = await http.GetAsync(new Uri($"/v1/runs/{runId}", UriKind.Relative), Cancel);
        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /v1/runs/{runId}: {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        var run = document.RootElement.Clone();
        Assert.Equal(runId, run.GetProperty("id").GetString());
        return run;
    }

    private static List<JsonElement> Attempts(JsonElement run) => [.. run.GetProperty("attempts").EnumerateArray()];

    private static void AssertAttemptsInOrder(List<JsonElement> attempts)
    {
        Assert.NotEmpty(attempts);
        var seqs = attempts.Select(a => a.GetProperty("seq").GetInt32()).ToList();
        Assert.Equal(seqs.Order().ToList(), seqs);
        Assert.Equal(seqs.Count, seqs.Distinct().Count());
        var tiers = attempts.Select(a => a.GetProperty("tier").GetInt32()).ToList();
        Assert.Equal(tiers.Order().ToList(), tiers);
    }

    private static void AssertRunHeaders(PipelineResponse response)
    {
        foreach (var name in new[] { "x-switchyard-run-id", "x-switchyard-provider", "x-switchyard-model", "x-switchyard-attempts" })
        {
            Assert.False(string.IsNullOrEmpty(Header(response, name)), $"missing header {name}");
        }

        Assert.StartsWith("run_", Header(response, "x-switchyard-run-id"), StringComparison.Ordinal);
        Assert.True(int.TryParse(Header(response, "x-switchyard-attempts"), out var attempts) && attempts >= 1, $"x-switchyard-attempts: {Header(response, "x-switchyard-attempts")}");
    }

    private static string? Header(PipelineResponse response, string name) =>
        response.Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The width and height in a PNG's IHDR chunk, after checking the signature.</summary>
    internal static (int Width, int Height) PngSize(byte[] png)
    {
        byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
        Assert.True(png.Length >= 24, $"only {png.Length} bytes");
        Assert.Equal(signature, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
    }
}
