using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Tests.Common.Emulators;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Providers;

/// <summary>
/// <c>POST /v1/images/edits</c> through the real gateway to an <c>openai</c> provider on the loopback emulator: an edit
/// is served by <c>/images/edits</c> (no longer skipped as not capable), and a model that cannot edit is skipped
/// <c>not_capable</c> in favour of the next tier.
/// </summary>
public sealed class OpenAIEditGatewayTests : IAsyncLifetime
{
    private OpenAIEmulator _emulator = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _emulator = await OpenAIEmulator.StartAsync(Ct);

    public async ValueTask DisposeAsync() => await _emulator.DisposeAsync();

    private GatewayFactory Gateway()
    {
        // The key is read from the process's environment, as in production.
        Environment.SetEnvironmentVariable("SWITCHYARD_TEST_EDIT_OPENAI_KEY", "sk-edit-gateway-test-0123456789");
        return new($$"""
            providers:
              oa:
                type: openai
                base_url: {{_emulator.BaseUrl}}
                api_key: ${SWITCHYARD_TEST_EDIT_OPENAI_KEY}
                retry: { max_attempts: 1 }
                circuit_breaker: { minimum_throughput: 100000 }
              placeholder:
                type: placeholder
            routes:
              image:
                modality: image
                chain:
                  - { provider: oa, model: gpt-image-1 }
                  - { provider: placeholder }
              old-image:
                modality: image
                chain:
                  - { provider: oa, model: dall-e-3 }
                  - { provider: placeholder }
            """);
    }

    [Fact]
    public async Task Edit_GptImage_ServedByImagesEditsWithTheUploadedImage()
    {
        using var factory = Gateway();
        using var client = factory.CreateClientWithKey();
        var png = OpenAIEmulator.Png(1024, 1024, 4);

        using var response = await client.PostAsJsonAsync("/v1/images/edits", new { model = "image", prompt = "add snow", image = "data:image/png;base64," + Convert.ToBase64String(png) }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("oa", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Null(HttpAssert.Header(response, "x-switchyard-degraded"));
        var sent = Assert.Single(_emulator.Requests);
        Assert.Equal("/v1/images/edits", sent.Path);
        Assert.Equal(png, Assert.Single(sent.Files).Data);
        Assert.Equal("1024x1024", sent.Form["size"]);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("data")[0].GetProperty("b64_json").GetString()));
    }

    [Fact]
    public async Task Edit_DallE3_SkippedNotCapableAndServedDegraded()
    {
        using var factory = Gateway();
        using var client = factory.CreateClientWithKey();
        var png = OpenAIEmulator.Png(1024, 1024);

        using var response = await client.PostAsJsonAsync("/v1/images/edits", new { model = "old-image", prompt = "add snow", image = "data:image/png;base64," + Convert.ToBase64String(png) }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("placeholder", HttpAssert.Header(response, "x-switchyard-provider"));
        Assert.Empty(_emulator.Requests);
        using var run = await client.GetAsync($"/v1/runs/{HttpAssert.RunId(response)}", Ct);
        var attempts = (await run.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("attempts");
        Assert.Equal("not_capable", attempts[0].GetProperty("skip_reason").GetString());
        Assert.Contains("dall-e-3 cannot edit images", attempts[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
