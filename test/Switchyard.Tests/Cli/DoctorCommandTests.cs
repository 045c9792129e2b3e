using System.CommandLine;
using System.Text.Json;
using Switchyard.Cli;

namespace Switchyard.Tests.Cli;

/// <summary>`switchyard doctor` as a user runs it: a table or --json, exit 0 only when nothing fails.</summary>
public sealed class DoctorCommandTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("switchyard-doctor-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Config(string providers, string routes) => Write($"""
        storage:
          database: sqlite:{Path.Combine(_folder, "db", "switchyard.db")}
          artifacts: file:{Path.Combine(_folder, "artifacts")}
        providers:
        {providers}
          placeholder:
            type: placeholder
        routes:
        {routes}
        """);

    private string Write(string yaml)
    {
        var path = Path.Combine(_folder, $"{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public async Task Doctor_HealthyConfig_Exit0AndTableSaysNoFailures()
    {
        var config = Config("  sb:\n    type: sandbox", "  image:\n    modality: image\n    chain:\n      - { provider: sb, model: sandbox-image }\n      - { provider: placeholder }");

        var (exit, output, _) = await RunAsync("doctor", "--config", config);

        Assert.Equal(0, exit);
        Assert.Contains("no failures", output, StringComparison.Ordinal);
        Assert.Contains("route: image", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_MissingAlertWebhookSecret_WarnsNamingTheVariable()
    {
        var config = Config(
            "  sb:\n    type: sandbox",
            "  image:\n    modality: image\n    chain:\n      - { provider: sb, model: sandbox-image }\n      - { provider: placeholder }\n"
            + "alerts:\n  webhook:\n    url: https://alerts.example.com/hook\n    secret: ${SWITCHYARD_DOCTOR_TEST_ALERT_UNSET}");

        var (exit, output, _) = await RunAsync("doctor", "--config", config, "--json");

        Assert.Equal(0, exit);
        var checks = JsonDocument.Parse(output).RootElement.GetProperty("checks").EnumerateArray().ToList();
        var secret = Assert.Single(checks, c => c.GetProperty("subject").GetString() == "SWITCHYARD_DOCTOR_TEST_ALERT_UNSET");
        Assert.Equal("warn", secret.GetProperty("status").GetString());
        Assert.Contains("alert webhooks are off", secret.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_MissingSecretAndDeadRoute_Exit1AndJsonNamesCauseAndFix()
    {
        var config = Config(
            "  oa:\n    type: openai\n    api_key: ${SWITCHYARD_DOCTOR_TEST_UNSET}",
            "  image:\n    modality: image\n    chain:\n      - { provider: oa, model: gpt-image-1 }\n  text:\n    modality: text\n    chain:\n      - { provider: oa, model: gpt-4o-mini }\n      - { provider: placeholder }");

        var (exit, output, _) = await RunAsync("doctor", "--config", config, "--json");

        Assert.Equal(1, exit);
        var report = JsonDocument.Parse(output).RootElement;
        Assert.False(report.GetProperty("ok").GetBoolean());
        var checks = report.GetProperty("checks").EnumerateArray().ToList();
        var secret = Assert.Single(checks, c => c.GetProperty("area").GetString() == "secret");
        Assert.Equal("fail", secret.GetProperty("status").GetString());
        Assert.Equal("SWITCHYARD_DOCTOR_TEST_UNSET", secret.GetProperty("subject").GetString());
        Assert.Contains("SWITCHYARD_DOCTOR_TEST_UNSET", secret.GetProperty("fix").GetString(), StringComparison.Ordinal);
        var image = Assert.Single(checks, c => c.GetProperty("subject").GetString() == "image");
        Assert.Equal("fail", image.GetProperty("status").GetString());
        var text = Assert.Single(checks, c => c.GetProperty("subject").GetString() == "text");
        Assert.Equal("warn", text.GetProperty("status").GetString());
        Assert.Contains("only the placeholder", text.GetProperty("cause").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_InvalidConfig_EveryProblemAFailWithItsPath()
    {
        var config = Write("providers:\n  a:\n    type: sandbox\n    timeout: soon\nroutes:\n  image:\n    modality: smell\n    chain:\n      - { provider: nobody }\nfrobnicate: 1\n");

        var (exit, output, _) = await RunAsync("doctor", "--config", config, "--json");

        Assert.Equal(1, exit);
        var subjects = JsonDocument.Parse(output).RootElement.GetProperty("checks").EnumerateArray().Select(c => c.GetProperty("subject").GetString()).ToList();
        Assert.Contains("providers.a.timeout", subjects);
        Assert.Contains("routes.image.modality", subjects);
        Assert.Contains("routes.image.chain[0].provider", subjects);
        Assert.Contains("frobnicate", subjects);
    }

    [Fact]
    public async Task Doctor_PresentSecret_ReportedWithoutItsValue()
    {
        const string secret = "sk-doctor-test-secret-value-1234567890";
        var config = Config("  oa:\n    type: openai-compatible\n    base_url: http://127.0.0.1:9\n    api_key: ${SWITCHYARD_DOCTOR_TEST_KEY}", "  text:\n    modality: text\n    chain:\n      - { provider: oa, model: m }\n      - { provider: placeholder }");

        var (_, output, error) = await RunAsync(name => name == "SWITCHYARD_DOCTOR_TEST_KEY" ? secret : null, "doctor", "--config", config, "--json", "--probe-timeout", "2");

        Assert.Contains("SWITCHYARD_DOCTOR_TEST_KEY", output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[..12], output, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(static _ => null, args);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(Func<string, string?> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, TimeProvider.System, variables);
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
