using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.Webhooks;
using Switchyard.Webhooks;

namespace Switchyard.Tests.EndToEnd;

/// <summary>
/// Durability with the real executable: a 500-item job survives kill -9 (SQLite, restarted on the same file) and a
/// node dying next to another on one PostgreSQL. Every item ends succeeded, completed once, by a run the ledger holds.
/// </summary>
public sealed class JobsCrashTests
{
    private const int Items = 500;

    private const string Jobs = """

        jobs:
          workers: 8
          lease: 4s
          poll_interval: 100ms
          grace_period: 1s
          concurrency: { per_key: 8, per_route: 8 }

        outbound:
          allow_private: ["127.0.0.1/32"]
        """;

    // The job's own webhook secret (Standard Webhooks form), so the test can verify what it receives.
    private const string WebhookSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task KillNine_MidJob_RestartOnTheSameSqliteFile_EveryItemSucceedsOnce()
    {
        var folder = GatewayProcess.NewFolder();
        var config = SlowSandboxes(GatewayProcess.DefaultConfig) + Jobs;
        const string key = "sy_CrashTst0001_abcdefghijklmnopqrstuvwxyz012345";
        await using var receiver = new LoopbackReceiver();
        try
        {
            string jobId;
            await using (var first = new GatewayProcess(config, key, folder))
            {
                await first.InitializeAsync();
                using var client = first.CreateHttpClient(key);
                jobId = await SubmitAsync(client, receiver.Url);
                await WaitForAsync(client, jobId, j => j.GetProperty("counts").GetProperty("succeeded").GetInt32() >= Items / 4, TimeSpan.FromSeconds(40));
            }

            // Disposing killed the process tree (SIGKILL): no drain, leases left behind.
            await using (var second = new GatewayProcess(config, key, folder))
            {
                await second.InitializeAsync();
                using var client = second.CreateHttpClient(key);
                var done = await WaitForAsync(client, jobId, j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "partially_succeeded", TimeSpan.FromSeconds(60));
                Assert.Equal("succeeded", done.GetProperty("status").GetString());
                Assert.Equal(Items, done.GetProperty("counts").GetProperty("succeeded").GetInt32());
                await AssertCompletionWebhookAsync(receiver, jobId);
            }

            await using var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "data", "switchyard.db")}");
            await connection.OpenAsync(Ct);
            await AssertCompletedOnceAsync(jobId, connection);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            GatewayProcess.RemoveFolder(folder);
        }
    }

    [Fact]
    public async Task TwoNodesOnPostgres_OneKilledMidJob_EveryItemSucceedsOnce()
    {
        await using var database = new TestPostgres();
        await database.InitializeAsync();
        var config = SlowSandboxes(GatewayProcess.DefaultConfig).Replace("database: sqlite:data/switchyard.db", $"database: {database.Url}", StringComparison.Ordinal) + Jobs;
        const string key = "sy_CrashTst0002_abcdefghijklmnopqrstuvwxyz012345";
        await using var receiver = new LoopbackReceiver();
        await using var survivor = new GatewayProcess(config, key, folder: null);
        await survivor.InitializeAsync();
        string jobId;
        await using (var victim = new GatewayProcess(config, key, folder: null))
        {
            await victim.InitializeAsync();
            using var client = victim.CreateHttpClient(key);
            jobId = await SubmitAsync(client, receiver.Url);
            await WaitForAsync(client, jobId, j => j.GetProperty("counts").GetProperty("succeeded").GetInt32() >= Items / 4, TimeSpan.FromSeconds(40));
        }

        using (var client = survivor.CreateHttpClient(key))
        {
            var done = await WaitForAsync(client, jobId, j => j.GetProperty("status").GetString() is "succeeded" or "failed" or "partially_succeeded", TimeSpan.FromSeconds(60));
            Assert.Equal("succeeded", done.GetProperty("status").GetString());
            await AssertCompletionWebhookAsync(receiver, jobId);
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = new Uri(database.Url).Host, Port = new Uri(database.Url).Port, Database = new Uri(database.Url).AbsolutePath.TrimStart('/'), Username = Uri.UnescapeDataString(new Uri(database.Url).UserInfo.Split(':')[0]) };
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(Ct);
        await AssertCompletedOnceAsync(jobId, connection);
    }

    /// <summary>
    /// Every item succeeded, and the run that completed it (its last run id) is a served run in the ledger with the job
    /// and item ids. An item has more than one served run only when its lease was taken over after the kill (attempts
    /// &gt; 1): its earlier run finished but the dead node never recorded it; the item's output is still written once.
    /// </summary>
    private static async Task AssertCompletedOnceAsync(string jobId, System.Data.Common.DbConnection connection)
    {
        var items = new List<(string Id, string Status, int Attempts, List<string> Runs)>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT item_id, status, attempts, run_ids FROM job_items WHERE job_id = '{jobId}';";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                items.Add((reader.GetString(0), reader.GetString(1), reader.GetInt32(2), JsonSerializer.Deserialize<List<string>>(reader.GetString(3))!));
            }
        }

        var served = new Dictionary<string, List<string>>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT item_id, id FROM runs WHERE job_id = '{jobId}' AND outcome IN ('success', 'degraded');";
            await using var reader = await command.ExecuteReaderAsync(Ct);
            while (await reader.ReadAsync(Ct))
            {
                (served.TryGetValue(reader.GetString(0), out var list) ? list : served[reader.GetString(0)] = []).Add(reader.GetString(1));
            }
        }

        Assert.Equal(Items, items.Count);
        Assert.All(items, i => Assert.Equal("succeeded", i.Status));
        Assert.All(items, i => Assert.Contains(i.Runs[^1], served[i.Id]));
        var duplicated = items.Where(i => served[i.Id].Count > 1).ToList();
        Assert.All(duplicated, i => Assert.True(i.Attempts > 1, $"{i.Id} has {served[i.Id].Count} served runs in one attempt"));
        Assert.True(duplicated.Count <= 8, $"{duplicated.Count} items ran twice; at most the 8 in flight at the kill may");
    }

    /// <summary>The job's completion webhook arrived, signed with the job's secret, saying every item succeeded; nothing else was posted for it.</summary>
    private static async Task AssertCompletionWebhookAsync(LoopbackReceiver receiver, string jobId)
    {
        var hook = await receiver.NextAsync();
        var id = hook.Headers["webhook-id"];
        Assert.True(
            StandardWebhook.Verify(WebhookSecret, id, hook.Headers["webhook-timestamp"], hook.Headers["webhook-signature"], hook.Body, TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(5)),
            "the completion webhook's signature does not verify with the job's secret");
        var body = JsonDocument.Parse(hook.Body).RootElement;
        Assert.Equal("job.completed", body.GetProperty("type").GetString());
        Assert.Equal(jobId, body.GetProperty("data").GetProperty("id").GetString());
        Assert.Equal("succeeded", body.GetProperty("data").GetProperty("status").GetString());
        Assert.Equal(Items, body.GetProperty("data").GetProperty("counts").GetProperty("succeeded").GetInt32());
        while (receiver.TryNext(out var other))
        {
            Assert.Equal(id, other.Headers["webhook-id"]); // a repeat may only be the same delivery
        }
    }

    private static async Task<string> SubmitAsync(HttpClient client, Uri webhook)
    {
        var items = new StringBuilder();
        for (var i = 0; i < Items; i++)
        {
            items.Append(i == 0 ? "" : ",").Append(i % 5 == 4
                ? $$"""{ "id": "i{{i}}", "type": "image", "depends_on": ["i{{i - 1}}"], "prompt": "picture of {{"{{"}}i{{i - 1}}.output{{"}}"}}", "size": "64x64" }"""
                : $$"""{ "id": "i{{i}}", "type": "text", "prompt": "item {{i}}" }""");
        }

        using var response = await client.PostAsync(new Uri("/v1/jobs", UriKind.Relative), new StringContent($$"""{ "items": [{{items}}], "webhook": { "url": "{{webhook}}", "secret": "{{WebhookSecret}}" } }""", Encoding.UTF8, "application/json"), Ct);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.True(response.IsSuccessStatusCode, json.ToString());
        return json.GetProperty("id").GetString()!;
    }

    // Real processes run on real time: the test polls their API, bounded.
    private static async Task<JsonElement> WaitForAsync(HttpClient client, string jobId, Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (long)(timeout.TotalSeconds * TimeProvider.System.TimestampFrequency);
        JsonElement job = default;
        while (TimeProvider.System.GetTimestamp() < deadline)
        {
            job = await client.GetFromJsonAsync<JsonElement>(new Uri($"/v1/jobs/{jobId}", UriKind.Relative), Ct);
            if (done(job))
            {
                return job;
            }

            await Task.Delay(200, Ct);
        }

        Assert.Fail($"The job did not get there within {timeout.TotalSeconds:0}s: {job}");
        return job;
    }

    // A little latency, so the kill lands while items are in flight.
    private static string SlowSandboxes(string config) => config.Replace("latency: 0ms", "latency: 15ms", StringComparison.Ordinal);
}
