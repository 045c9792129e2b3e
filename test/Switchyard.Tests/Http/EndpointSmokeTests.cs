using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

public sealed class EndpointSmokeTests : IClassFixture<GatewayFactory>
{
    private readonly GatewayFactory _factory;

    public EndpointSmokeTests(GatewayFactory factory)
    {
        _factory = factory;
    }

    [Fact]
    public async Task ChatCompletions_Text_ReturnsCompletionAndRunHeaders()
    {
        using var client = _factory.CreateClientWithKey();

        using var response = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hello" } } }, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("run_", response.Headers.GetValues("x-switchyard-run-id").Single(), StringComparison.Ordinal);
        Assert.Equal("sandbox-a", response.Headers.GetValues("x-switchyard-provider").Single());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("chat.completion", json.RootElement.GetProperty("object").GetString());
    }
}
