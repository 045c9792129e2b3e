using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Providers.Media;
using Switchyard.Providers.Tests.Emulators;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Providers;

/// <summary>The cloudflare-workers-ai adapter through the real gateway: a missing account id is a named skip, the emulator serves.</summary>
public sealed class CloudflareGatewayTests
{
    private const string TokenVariable = "SWITCHYARD_TEST_CF_TOKEN_GATEWAY";
    private const string UnsetAccountVariable = "SWITCHYARD_TEST_CF_ACCOUNT_NEVER_SET";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Yaml(string baseUrl) => $$"""
        providers:
          cf-missing:
            type: cloudflare-workers-ai
            base_url: {{baseUrl}}
            account_id: ${{{UnsetAccountVariable}}}
            api_key: ${{{TokenVariable}}}
            retry: { max_attempts: 1 }
          cf:
            type: cloudflare-workers-ai
            base_url: {{baseUrl}}
            account_id: {{CloudflareEmulator.Account}}
            api_key: ${{{TokenVariable}}}
            retry: { max_attempts: 1 }
          placeholder:
            type: placeholder
        routes:
          image-missing:
            modality: image
            chain:
              - { provider: cf-missing, model: "@cf/black-forest-labs/flux-1-schnell" }
              - { provider: placeholder }
          image:
            modality: image
            chain:
              - { provider: cf, model: "@cf/black-forest-labs/flux-1-schnell" }
              - { provider: placeholder }
        """;

    [Fact]
    public async Task MissingAccountId_SkippedAsMisconfiguredNamingTheVariable_ThenEmulatorServesAnImage()
    {
        Environment.SetEnvironmentVariable(TokenVariable, CloudflareEmulator.Token);
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        using var factory = new GatewayFactory(Yaml(emulator.BaseUrl));
        using var client = factory.CreateClientWithKey();

        using var degraded = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image-missing", prompt = "a lighthouse", size = "512x512" }, Ct);

        Assert.Equal(HttpStatusCode.OK, degraded.StatusCode);
        Assert.Equal("placeholder", HttpAssert.Header(degraded, "x-switchyard-provider"));
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(degraded));
        var skipped = run.GetProperty("attempts")[0];
        Assert.Equal("cf-missing", skipped.GetProperty("provider").GetString());
        Assert.Equal("misconfigured", skipped.GetProperty("skip_reason").GetString());
        Assert.Contains(UnsetAccountVariable, skipped.GetProperty("message").GetString(), StringComparison.Ordinal);
        var ready = await client.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.Contains(UnsetAccountVariable, ready.GetProperty("checks").GetProperty("provider:cf-missing").GetString(), StringComparison.Ordinal);
        Assert.Empty(emulator.Requests);

        using var served = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a lighthouse", size = "512x512" }, Ct);

        var text = await served.Content.ReadAsStringAsync(Ct);
        Assert.True(served.StatusCode == HttpStatusCode.OK, text);
        Assert.Equal("cf", HttpAssert.Header(served, "x-switchyard-provider"));
        Assert.Equal("cf/@cf/black-forest-labs/flux-1-schnell", HttpAssert.Header(served, "x-switchyard-model"));
        var png = Convert.FromBase64String(JsonDocument.Parse(text).RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
        Assert.Equal((512, 512), ImageInspector.GetSize(png));
        var request = Assert.Single(emulator.Requests);
        Assert.Equal($"/client/v4/accounts/{CloudflareEmulator.Account}/ai/run/@cf/black-forest-labs/flux-1-schnell", request.Path);
        Assert.Equal("Bearer " + CloudflareEmulator.Token, request.Header("authorization"));
    }

    [Fact]
    public async Task NsfwRejection_RecordedAsContentRejected_PlaceholderServes()
    {
        Environment.SetEnvironmentVariable(TokenVariable, CloudflareEmulator.Token);
        await using var emulator = await CloudflareEmulator.StartNewAsync();
        emulator.Enqueue(CloudflareEmulator.Error(400, 3030, "Input prompt contains NSFW content"));
        using var factory = new GatewayFactory(Yaml(emulator.BaseUrl));
        using var client = factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = "a lighthouse", size = "256x256" }, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("placeholder", HttpAssert.Header(response, "x-switchyard-provider"));
        var run = await HttpAssert.RunAsync(client, HttpAssert.RunId(response));
        var attempt = run.GetProperty("attempts")[0];
        Assert.Equal("content_rejected", attempt.GetProperty("error_class").GetString());
        Assert.Equal(400, attempt.GetProperty("http_status").GetInt32());
    }
}
