using System.CommandLine;
using System.Net.Http.Json;
using System.Text.Json;
using Switchyard.Cli;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Cli;

/// <summary>
/// <c>switchyard runs</c>, <c>runs show</c> and <c>stats</c>, run in-process against the database a gateway wrote,
/// with their output captured: tables for people, and --json that matches the API.
/// </summary>
public sealed class LedgerCommandsTests : IClassFixture<SeededLedger>
{
    private readonly SeededLedger _seed;

    public LedgerCommandsTests(SeededLedger seed)
    {
        _seed = seed;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Runs_Table_ListsEveryRunWithOutcomeAndServer()
    {
        var (exit, output, error) = await RunAsync("runs", "--config", _seed.Factory.ConfigPath);

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.All(_seed.InOrder, id => Assert.Contains(id, output, StringComparison.Ordinal));
        Assert.Contains("sandbox-b/sandbox-image (tier 1)", output, StringComparison.Ordinal);
        Assert.Contains("placeholder (tier 2)", output, StringComparison.Ordinal);
        Assert.Contains("content_rejected", output, StringComparison.Ordinal);
        Assert.Contains("image (watercolor)", output, StringComparison.Ordinal);
        Assert.Contains("8 runs.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_Json_SameDocumentAsTheApi()
    {
        var (exit, output, _) = await RunAsync("runs", "--config", _seed.Factory.ConfigPath, "--limit", "3", "--json");

        Assert.Equal(0, exit);
        var cli = JsonDocument.Parse(output).RootElement;
        var api = await ApiAsync("/v1/runs?limit=3");
        Assert.True(JsonElement.DeepEquals(api, cli), $"API: {api}\nCLI: {cli}");
        Assert.True(cli.GetProperty("has_more").GetBoolean());
    }

    [Theory]
    [InlineData("--status", "failed", "Rejected")]
    [InlineData("--skip-reason", "not_capable", "OddSize")]
    [InlineData("--error-class", "unavailable", "FirstTierDown,AllDown")]
    [InlineData("--provider", "sandbox-b", "FirstTierDown,AllDown,OddSize")]
    [InlineData("--route", "text", "Text")]
    [InlineData("--key", "app", "OtherKey")]
    [InlineData("--since", "1h", "Plain,FirstTierDown,AllDown,Rejected,OddSize,Preset,Text,OtherKey")]
    public async Task Runs_Filter_JsonHasExactlyTheMatchingRuns(string option, string value, string expected)
    {
        var (exit, output, _) = await RunAsync("runs", "--config", _seed.Factory.ConfigPath, option, value, "--json");

        Assert.Equal(0, exit);
        var ids = JsonDocument.Parse(output).RootElement.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetString());
        Assert.Equal(expected.Split(',').Select(n => _seed.Runs[n]).Reverse(), ids);
    }

    [Fact]
    public async Task RunsShow_FallbackRun_TableTellsWhoWasTriedAndWhatEachMet()
    {
        var (exit, output, error) = await RunAsync("runs", "show", _seed.Runs["AllDown"], "--config", _seed.Factory.ConfigPath);

        Assert.True(exit == 0, error);
        Assert.Contains(_seed.Runs["AllDown"], output, StringComparison.Ordinal);
        Assert.Contains("degraded", output, StringComparison.Ordinal);
        Assert.Contains("placeholder (tier 2)", output, StringComparison.Ordinal);
        var rows = output.Split('\n').Where(l => l.StartsWith('│') && l.Contains("sandbox-", StringComparison.Ordinal) && l.Contains("unavailable", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Contains("503", rows[0], StringComparison.Ordinal);
        Assert.Contains(
            "sandbox-a/sandbox-image failed with unavailable (HTTP 503); then sandbox-b/sandbox-image failed with unavailable (HTTP 503); then placeholder answered: served degraded, by tier 2 (placeholder).",
            output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_SkippedProviders_TableNamesTheSkipReason()
    {
        var (exit, output, _) = await RunAsync("runs", "show", _seed.Runs["OddSize"], "--config", _seed.Factory.ConfigPath);

        Assert.Equal(0, exit);
        Assert.Contains("skipped", output, StringComparison.Ordinal);
        Assert.Contains("sandbox-a/sandbox-image was skipped (not_capable); then sandbox-b/sandbox-image was skipped (not_capable)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_FailedRun_ShowsTheErrorSentToTheClient()
    {
        var (exit, output, _) = await RunAsync("runs", "show", _seed.Runs["Rejected"], "--config", _seed.Factory.ConfigPath);

        Assert.Equal(0, exit);
        Assert.Contains("Error", output, StringComparison.Ordinal);
        Assert.Contains("content_rejected", output, StringComparison.Ordinal);
        Assert.Contains("the run failed (content_rejected).", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_Json_SameDocumentAsTheApi()
    {
        var id = _seed.Runs["FirstTierDown"];

        var (exit, output, _) = await RunAsync("runs", "show", id, "--json", "--config", _seed.Factory.ConfigPath);

        Assert.Equal(0, exit);
        var cli = JsonDocument.Parse(output).RootElement;
        Assert.True(JsonElement.DeepEquals(await ApiAsync($"/v1/runs/{id}"), cli), output);
        Assert.Equal(["failed", "success"], cli.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task RunsShow_UnknownRun_Exit1WithMessage()
    {
        var (exit, output, error) = await RunAsync("runs", "show", "run_0000", "--config", _seed.Factory.ConfigPath, "--json");

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Contains("No run 'run_0000'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_ByProvider_TableShowsEachProviderAndWhatItMet()
    {
        var (exit, output, error) = await RunAsync("stats", "--by", "provider", "--config", _seed.Factory.ConfigPath);

        Assert.True(exit == 0, error);
        var b = Assert.Single(output.Split('\n'), l => l.Contains("sandbox-b ", StringComparison.Ordinal));
        Assert.Contains("unavailable 1", b, StringComparison.Ordinal);
        Assert.Contains("skipped: not_capable 1", b, StringComparison.Ordinal);
        Assert.Contains("1/1/1", b, StringComparison.Ordinal);
        var all = Assert.Single(output.Split('\n'), l => l.Contains("all ", StringComparison.Ordinal));
        Assert.Contains("50%", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stats_Json_SameNumbersAsTheApi()
    {
        var (exit, output, _) = await RunAsync("stats", "--by", "route", "--since", "1h", "--json", "--config", _seed.Factory.ConfigPath);

        Assert.Equal(0, exit);
        var cli = JsonDocument.Parse(output).RootElement;
        var api = await ApiAsync("/v1/stats?by=route&since=1h");
        Assert.Equal("route", cli.GetProperty("by").GetString());
        Assert.True(JsonElement.DeepEquals(api.GetProperty("overall"), cli.GetProperty("overall")), output);
        Assert.True(JsonElement.DeepEquals(api.GetProperty("groups"), cli.GetProperty("groups")), output);
    }

    [Theory]
    [InlineData("runs --since yesterday", "--since")]
    [InlineData("runs --status crashed", "--status")]
    [InlineData("runs --limit 0", "--limit")]
    [InlineData("runs --skip-reason sleepy", "--skip-reason")]
    [InlineData("stats --by color", "--by")]
    public async Task Command_BadOptionValue_Exit2NamingTheOption(string command, string option)
    {
        var (exit, output, error) = await RunAsync([.. command.Split(' '), "--config", _seed.Factory.ConfigPath]);

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith(option + ":", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Runs_NoDatabaseYet_Exit1WithoutCreatingIt()
    {
        var folder = Directory.CreateTempSubdirectory("switchyard-cli-").FullName;
        try
        {
            var database = Path.Combine(folder, "never.db");
            var config = Path.Combine(folder, "switchyard.yaml");
            await File.WriteAllTextAsync(config, File.ReadAllText(_seed.Factory.ConfigPath).Replace(
                File.ReadAllLines(_seed.Factory.ConfigPath).First(l => l.Contains("database:", StringComparison.Ordinal)),
                $"  database: sqlite:{database}",
                StringComparison.Ordinal), Ct);

            var (exit, _, error) = await RunAsync("runs", "--config", config);

            Assert.Equal(1, exit);
            Assert.Contains("No database at " + database, error, StringComparison.Ordinal);
            Assert.False(File.Exists(database));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Stats_MissingConfigFile_Exit2()
    {
        var (exit, _, error) = await RunAsync("stats", "--config", "/nonexistent/switchyard.yaml");

        Assert.Equal(2, exit);
        Assert.Contains("does not exist", error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, TimeProvider.System, static _ => null);
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }

    private async Task<JsonElement> ApiAsync(string path)
    {
        using var admin = _seed.Factory.CreateClientWithKey();
        return await admin.GetFromJsonAsync<JsonElement>(path, Ct);
    }
}
