using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Tests.Common.Emulators;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Providers;

/// <summary>The real gateway with an <c>openai-compatible</c> provider pointed at the loopback OpenAI emulator.</summary>
public sealed class OpenAICompatibleGatewayTests : IAsyncLifetime
{
    private OpenAIEmulator _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _emulator = await OpenAIEmulator.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private GatewayFactory Gateway() => new($$"""
        providers:
          local:
            type: openai-compatible
            base_url: {{_emulator.BaseUrl}}
            retry: { max_attempts: 1 }
            circuit_breaker: { minimum_throughput: 100000 }
            models:
              text: [emu-chat]
              image: [emu-image]
              speech: [emu-tts]
          placeholder:
            type: placeholder
        routes:
          text:
            modality: text
            chain:
              - { provider: local, model: emu-chat }
              - { provider: placeholder }
          image:
            modality: image
            chain:
              - { provider: local, model: emu-image }
              - { provider: placeholder }
          speech:
            modality: speech
            chain:
              - { provider: local, model: emu-tts }
              - { provider: placeholder }
        """);

    [Fact]
    public async Task ChatImageAndSpeech_ServedByTheCompatibleServer()
    {
        using var factory = Gateway();
        using var client = factory.CreateClientWithKey();

        using var chat = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hello" } } }, Ct);
        using var image = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a fox", size = "512x512", response_format = "b64_json" }, Ct);
        using var speech = await client.PostAsJsonAsync("/v1/audio/speech", new { model = "speech", input = "hello there", voice = "alloy" }, Ct);

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("local", HttpAssert.Header(chat, "x-switchyard-provider"));
        var chatBody = await chat.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("Hello from the emulator.", chatBody.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());

        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("local", HttpAssert.Header(image, "x-switchyard-provider"));
        var imageBody = await image.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(string.IsNullOrEmpty(imageBody.GetProperty("data")[0].GetProperty("b64_json").GetString()));

        Assert.Equal(HttpStatusCode.OK, speech.StatusCode);
        Assert.Equal("local", HttpAssert.Header(speech, "x-switchyard-provider"));
        var audio = await speech.Content.ReadAsByteArrayAsync(Ct);
        Assert.Equal("ID3"u8.ToArray(), audio[..3]);

        var paths = _emulator.Requests.Select(r => r.Path).ToList();
        Assert.Equal(["/v1/chat/completions", "/v1/images/generations", "/v1/audio/speech"], paths);
        Assert.Equal("emu-chat", _emulator.Requests[0].Json.GetProperty("model").GetString());
        Assert.Equal("512x512", _emulator.Requests[1].Json.GetProperty("size").GetString());
    }

    [Fact]
    public async Task ServerError_FallsBackToThePlaceholder_LedgerShowsUnavailable500()
    {
        using var factory = Gateway();
        using var client = factory.CreateClientWithKey();

        using var chat = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hello #status=500" } } }, Ct);

        Assert.Equal(HttpStatusCode.OK, chat.StatusCode);
        Assert.Equal("placeholder", HttpAssert.Header(chat, "x-switchyard-provider"));
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(chat));
        var first = run.GetProperty("attempts")[0];
        Assert.Equal("local", first.GetProperty("provider").GetString());
        Assert.Equal("unavailable", first.GetProperty("error_class").GetString());
        Assert.Equal(500, first.GetProperty("http_status").GetInt32());
        Assert.Equal("degraded", run.GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Stream_RelaysTheEmulatorsDeltas()
    {
        using var factory = Gateway();
        using var client = factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", stream = true, messages = new[] { new { role = "user", content = "hello" } } }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("local", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Contains(" from the", text, StringComparison.Ordinal);
        Assert.Contains("data: [DONE]", text, StringComparison.Ordinal);
    }
}
