using System.Net;
using System.Net.Http.Json;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Http;

/// <summary>Prometheus metrics at /metrics, behind the admin key.</summary>
public sealed class MetricsTests : IClassFixture<GatewayFactory>
{
    private readonly GatewayFactory _factory;

    public MetricsTests(GatewayFactory factory)
    {
        _factory = factory;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Metrics_AfterTraffic_CountsRunsAttemptsAndPlaceholder()
    {
        using var client = _factory.CreateClientWithKey();
        (await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi" } } }, Ct)).Dispose();
        (await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi [fail:unavailable]" } } }, Ct)).Dispose();

        var text = await client.GetStringAsync("/metrics", Ct);

        Assert.Matches("switchyard_runs_total\\{[^}]*outcome=\"success\"[^}]*route=\"text\"[^}]*\\} [1-9]", text);
        Assert.Matches("switchyard_runs_total\\{[^}]*outcome=\"degraded\"[^}]*route=\"text\"[^}]*\\} [1-9]", text);
        Assert.Matches("switchyard_attempts_total\\{[^}]*error_class=\"unavailable\"[^}]*provider=\"sandbox-a\"[^}]*\\} [1-9]", text);
        Assert.Matches("switchyard_placeholder_served_total\\{[^}]*route=\"text\"[^}]*\\} [1-9]", text);
        Assert.Contains("switchyard_run_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Matches("switchyard_circuit_state\\{[^}]*provider=\"sandbox-a\"[^}]*\\} 0", text);
        Assert.Matches("(?m)^switchyard_ledger_pending(\\{[^}]*\\})? [0-9]+", text);
        Assert.Matches("(?m)^switchyard_ledger_rejected_total(\\{[^}]*\\})? 0", text);
    }

    [Fact]
    public async Task Metrics_WithoutKey_401()
    {
        using var client = _factory.CreateClient();

        using var response = await client.GetAsync("/metrics", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
