using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Cli;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.Jobs;

namespace Switchyard.Tests.Cli;

/// <summary><c>switchyard jobs submit|status|cancel</c> against the in-process gateway (its worker stepped by the test).</summary>
public sealed class JobsCommandTests : IDisposable
{
    private const string TwoCards = """
        { "items": [
            { "id": "card", "type": "text", "model": "text", "prompt": "a flashcard" },
            { "id": "back", "type": "text", "model": "text", "depends_on": ["card"], "prompt": "the back of {{card.output}}" } ] }
        """;

    private readonly JobsGateway _gateway = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("switchyard-jobs-cli-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _gateway.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private string Body(string json)
    {
        var path = Path.Combine(_folder, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(TimeProvider.System, args);

    private async Task<(int Exit, string Output, string Error)> RunAsync(TimeProvider time, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var variables = new Dictionary<string, string> { [JobsCommand.KeyVariable] = GatewayFactory.AdminKey };
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, time, name => variables.GetValueOrDefault(name))
        {
            HttpHandler = _gateway.App.Server.CreateHandler,
        };
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task SubmitDetached_ThenStatus_ThenCancel_EachPrintsTheJob()
    {
        var (exit, output, error) = await RunAsync("jobs", "submit", Body(TwoCards), "--detach", "--json", "--url", "http://localhost");
        Assert.True(exit == 0, error);
        var submitted = JsonDocument.Parse(output).RootElement;
        var id = submitted.GetProperty("id").GetString()!;
        Assert.Equal("queued", submitted.GetProperty("status").GetString());

        (exit, output, error) = await RunAsync("jobs", "status", id, "--json", "--url", "http://localhost");
        Assert.True(exit == 0, error);
        Assert.Equal(id, JsonDocument.Parse(output).RootElement.GetProperty("id").GetString());

        (exit, output, error) = await RunAsync("jobs", "cancel", id, "--json", "--url", "http://localhost");
        Assert.True(exit == 0, error);
        Assert.Equal("cancelled", JsonDocument.Parse(output).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Submit_FollowsTheJobUntilItIsDone()
    {
        var cliTime = new FakeTimeProvider(_gateway.Time.GetUtcNow());
        var running = RunAsync(cliTime, "jobs", "submit", Body(TwoCards), "--json", "--url", "http://localhost");
        for (var i = 0; i < 100 && !running.IsCompleted; i++)
        {
            await _gateway.DrainAsync();
            cliTime.Advance(TimeSpan.FromMilliseconds(500)); // the CLI polls every half second
            await Task.WhenAny(running, Task.Delay(20, Ct));
        }

        var (exit, output, error) = await running;
        Assert.True(exit == 0, error);
        var done = JsonDocument.Parse(output).RootElement;
        Assert.Equal("succeeded", done.GetProperty("status").GetString());
        Assert.Equal(2, done.GetProperty("counts").GetProperty("succeeded").GetInt32());
    }

    [Fact]
    public async Task Submit_BadBody_ExitsNonZeroNamingTheField()
    {
        var (exit, _, error) = await RunAsync("jobs", "submit", Body("""{ "items": [ { "id": "a", "type": "text", "model": "text", "prompt": "x", "depends_on": ["nope"] } ] }"""), "--detach", "--url", "http://localhost");

        Assert.Equal(CliExitCodes.BadConfig, exit);
        Assert.Contains("items[0].depends_on", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_UnknownJob_NotFound_AndWithoutAKey_SaysHowToGiveOne()
    {
        var (exit, _, error) = await RunAsync("jobs", "status", "job_unknown", "--url", "http://localhost");
        Assert.Equal(CliExitCodes.NotFound, exit);
        Assert.Contains("HTTP 404", error, StringComparison.Ordinal);

        using var output = new StringWriter();
        using var errors = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, errors, TimeProvider.System, _ => null);
        exit = await SwitchyardCommand.Create(env).Parse(["jobs", "status", "job_x"]).InvokeAsync(new InvocationConfiguration { Output = output, Error = errors }, Ct);
        Assert.Equal(CliExitCodes.BadConfig, exit);
        Assert.Contains("--key", errors.ToString(), StringComparison.Ordinal);
    }
}
