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
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(56));
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

        // The server caches key lookups for 30 s: a revoke by another process takes effect within that.
        using (var cached = await client.GetAsync("/v1/models", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        }

        time.Advance(TimeSpan.FromSeconds(30));
        using var refused = await client.GetAsync("/v1/models", Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var (again, _, error) = await RunAsync("keys", "revoke", id, "--config", factory.ConfigPath);
        Assert.Equal(1, again);
        Assert.Contains(id, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_CreateWithLimitsUpdateList_ShowsAndStoresLimits()
    {
        using var factory = new GatewayFactory();
        (await factory.CreateClientWithKey().GetAsync("/healthz", Ct)).Dispose();

        var (exit, output, _) = await RunAsync("keys", "create", "--name", "batch", "--rpm", "60", "--concurrency", "2", "--daily-quota", "500", "--routes", "image,text", "--config", factory.ConfigPath, "--json");
        Assert.Equal(0, exit);
        var created = JsonDocument.Parse(output).RootElement;
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal(60, created.GetProperty("rpm").GetInt32());
        Assert.Equal(["image", "text"], created.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));

        var (updateExit, _, _) = await RunAsync("keys", "update", id, "--rpm", "0", "--routes", "text", "--config", factory.ConfigPath);
        Assert.Equal(0, updateExit);

        var (_, list, _) = await RunAsync("keys", "list", "--config", factory.ConfigPath, "--json");
        var key = JsonDocument.Parse(list).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal(JsonValueKind.Null, key.GetProperty("rpm").ValueKind);
        Assert.Equal(2, key.GetProperty("concurrency").GetInt32());
        Assert.Equal(500, key.GetProperty("daily_quota").GetInt32());
        Assert.Equal(["text"], key.GetProperty("routes").EnumerateArray().Select(r => r.GetString()));

        var (_, table, _) = await RunAsync("keys", "list", "--config", factory.ConfigPath);
        var row = table.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal));
        Assert.Contains("500", row, StringComparison.Ordinal);
        Assert.Contains("text", row, StringComparison.Ordinal);
        Assert.Contains("daily quota", table, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("update", "--rpm", "-1")]
    [InlineData("update", "--routes", "a b")]
    [InlineData("update")]
    [InlineData("rotate", "--overlap", "soon")]
    public async Task Keys_BadOption_Exit2NamingIt(string command, params string[] options)
    {
        using var factory = new GatewayFactory();
        (await factory.CreateClientWithKey().GetAsync("/healthz", Ct)).Dispose();
        var (_, output, _) = await RunAsync("keys", "create", "--name", "x", "--config", factory.ConfigPath, "--json");
        var id = JsonDocument.Parse(output).RootElement.GetProperty("id").GetString()!;

        var (exit, _, error) = await RunAsync([.. new[] { "keys", command, id, "--config", factory.ConfigPath }, .. options]);

        Assert.Equal(2, exit);
        Assert.Contains(options.Length > 0 ? options[0] : "--rpm", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_Rotate_NewSecretWorksOldWorksUntilOverlapEndsSameIdAndRuns()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
        using var factory = new GatewayFactory { Time = time };
        using var admin = factory.CreateClientWithKey();
        (await admin.GetAsync("/healthz", Ct)).Dispose();
        var (_, output, _) = await RunAsync(time, "keys", "create", "--name", "app", "--rpm", "100", "--config", factory.ConfigPath, "--json");
        var created = JsonDocument.Parse(output).RootElement;
        var id = created.GetProperty("id").GetString()!;
        using var oldClient = factory.CreateClientWithKey(created.GetProperty("key").GetString()!);
        using var before = await oldClient.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "before" } } }, Ct);
        var runBefore = HttpAssert.RunId(before);

        var (exit, rotatedText, _) = await RunAsync(time, "keys", "rotate", id, "--overlap", "1h", "--config", factory.ConfigPath, "--json");

        Assert.Equal(0, exit);
        var rotated = JsonDocument.Parse(rotatedText).RootElement;
        Assert.Equal(id, rotated.GetProperty("id").GetString());
        Assert.Equal(time.GetUtcNow().AddHours(1), rotated.GetProperty("previous_secret_expires_at").GetDateTimeOffset());
        using var newClient = factory.CreateClientWithKey(rotated.GetProperty("key").GetString()!);
        using (var mine = await newClient.GetAsync($"/v1/runs/{runBefore}", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(59));
        using (var stillOld = await oldClient.GetAsync("/v1/models", Ct))
        {
            Assert.Equal(HttpStatusCode.OK, stillOld.StatusCode);
        }

        time.Advance(TimeSpan.FromMinutes(1));
        using (var expired = await oldClient.GetAsync("/v1/models", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        }

        using var fresh = await newClient.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "after" } } }, Ct);
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal(id, (await HttpAssert.RunAsync(admin, HttpAssert.RunId(fresh))).GetProperty("key_id").GetString());
        var (_, list, _) = await RunAsync(time, "keys", "list", "--config", factory.ConfigPath, "--json");
        var listed = JsonDocument.Parse(list).RootElement.EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);
        Assert.Equal(100, listed.GetProperty("rpm").GetInt32());
        Assert.DoesNotContain(rotated.GetProperty("key").GetString()!, list, StringComparison.Ordinal);
    }

    private static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunAsync(TimeProvider.System, args);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(TimeProvider time, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, time, static _ => null);
        var exit = await SwitchyardCommand.Create(env).Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error }, Ct);
        return (exit, output.ToString(), error.ToString());
    }
}
