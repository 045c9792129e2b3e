using System.CommandLine;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Cli;
using Switchyard.Http;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Cli;

/// <summary>`switchyard keys` against the gateway's database: a created key works at once and only sees its own runs; a revoked one gets 401.</summary>
public sealed class KeysCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Keys_CreateListRevoke_KeyWorksScopedThenRefused()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        using var factory = new GatewayFactory { Time = time };
        using var admin = factory.CreateClientWithKey();
        (await admin.GetAsync("/healthz", Ct)).Dispose();

        var (exit, output, _) = await RunAsync("keys", "create", "--name", "flashcards-app", "--config", factory.ConfigPath, "--json");
        Assert.Equal(0, exit);
        var created = JsonDocument.Parse(output).RootElement;
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("id").GetString()!;
        Assert.False(created.GetProperty("admin").GetBoolean());

        using var client = factory.CreateClientWithKey(key);
        using var mine = await client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi" } } }, Ct);
        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        using var theirs = await admin.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "admin's" } } }, Ct);
        using var hidden = await client.GetAsync($"/v1/runs/{HttpAssert.RunId(theirs)}", Ct);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        using var metrics = await client.GetAsync("/metrics", Ct);
        Assert.Equal(HttpStatusCode.Forbidden, metrics.StatusCode);

        var (listExit, list, _) = await RunAsync("keys", "list", "--config", factory.ConfigPath, "--json");
        Assert.Equal(0, listExit);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        Assert.Contains(JsonDocument.Parse(list).RootElement.EnumerateArray(), k => k.GetProperty("id").GetString() == id && k.GetProperty("name").GetString() == "flashcards-app");

        var (revokeExit, _, _) = await RunAsync("keys", "revoke", id, "--config", factory.ConfigPath);
        Assert.Equal(0, revokeExit);

        // The gateway uses a key it found valid for ApiKeyFilter.CacheLifetime without asking the store again.
        using var stillCached = await client.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.OK, stillCached.StatusCode);
        time.Advance(ApiKeyFilter.CacheLifetime);
        using var refused = await client.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var (again, _, error) = await RunAsync("keys", "revoke", id, "--config", factory.ConfigPath);
        Assert.Equal(1, again);
        Assert.Contains(id, error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, TimeProvider.System, static _ => null);
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
