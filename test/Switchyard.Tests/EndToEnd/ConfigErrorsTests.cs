using System.Net;

namespace Switchyard.Tests.EndToEnd;

/// <summary>Start-up of the real executable with broken configs: exit code 2 and every problem, with its path, on stderr.</summary>
public sealed class ConfigErrorsTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    // A variable no machine defines; the fixture never passes it on either.
    private const string MissingVariable = "SWITCHYARD_E2E_MISSING_SECRET_7F3A";

    [Fact]
    public async Task Serve_ConfigWithThreeProblems_ExitsWith2AndListsEveryPath()
    {
        const string config = """
            storage:
              database: sqlite:data/switchyard.db
              artifacts: file:data/artifacts
            frobnicate: true
            providers:
              sandbox-a:
                type: sandbox
                timeout: soon
              placeholder:
                type: placeholder
            routes:
              text:
                modality: text
                chain:
                  - { provider: sandbox-a, model: sandbox-text }
                  - { provider: nowhere }
                  - { provider: placeholder }
            """;

        var result = await GatewayProcess.RunToExitAsync(config, [], ExitTimeout);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}\n{result.Stderr}");
        Assert.Contains("frobnicate", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("providers.sandbox-a.timeout", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("routes.text.chain[1].provider", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("nowhere", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("switchyard ready", result.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_BadSandboxSettings_ExitsWith2AndNamesEachSetting()
    {
        const string config = """
            providers:
              sandbox-a:
                type: sandbox
                latency: slowly
                faults: { unavailable: 2, meltdown: 0.1 }
            routes:
              image:
                modality: picture
                chain:
                  - { provider: sandbox-a }
            """;

        var result = await GatewayProcess.RunToExitAsync(config, [], ExitTimeout);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}\n{result.Stderr}");
        Assert.Contains("providers.sandbox-a.latency", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("providers.sandbox-a.faults.unavailable", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("providers.sandbox-a.faults.meltdown", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("routes.image.modality", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_StrictWithMissingSecret_ExitsWith2AndNamesVariable()
    {
        var result = await GatewayProcess.RunToExitAsync(ConfigWithMissingSecret, ["--strict"], ExitTimeout);

        Assert.True(result.ExitCode == 2, $"exit code {result.ExitCode}\n{result.Stderr}");
        Assert.Contains(MissingVariable, result.Stderr, StringComparison.Ordinal);
        Assert.Contains("providers.sandbox-a", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_MissingSecretWithoutStrict_StartsAndServes()
    {
        await using var gateway = new GatewayProcess(ConfigWithMissingSecret);
        await gateway.InitializeAsync();
        using var http = gateway.CreateHttpClient(key: null);

        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        using var ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        // The placeholder keeps the route usable whatever happens to sandbox-a.
        var readyBody = await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(ready.StatusCode == HttpStatusCode.OK, $"/readyz {(int)ready.StatusCode}: {readyBody}");
    }

    private static string ConfigWithMissingSecret => $$"""
        storage:
          database: sqlite:data/switchyard.db
          artifacts: file:data/artifacts
        providers:
          sandbox-a:
            type: sandbox
            latency: 0ms
            api_key: ${{{MissingVariable}}}
          placeholder:
            type: placeholder
        routes:
          text:
            modality: text
            chain:
              - { provider: sandbox-a, model: sandbox-text }
              - { provider: placeholder }
        """;
}
