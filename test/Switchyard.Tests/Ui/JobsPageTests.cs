using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Jobs;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.Jobs;
using Switchyard.Webhooks;

namespace Switchyard.Tests.Ui;

/// <summary>
/// The dashboard's jobs pages (<c>/ui/jobs</c>, <c>/ui/jobs/{id}</c>) over jobs submitted through the API, in-process on a
/// fake clock with no background workers: each test runs the queue itself (<see cref="JobsGateway.DrainAsync"/>).
/// </summary>
public sealed partial class JobsPageTests : IDisposable
{
    // The key id inside GatewayFactory.AdminKey.
    private const string AdminKeyId = "key_TestAdmin001";

    private readonly JobsGateway _gateway = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task List_NewestFirst_WithProgressAndCounts_FiltersByStatus_AndRefreshesOnlyWhileAJobIsOpen()
    {
        using var api = _gateway.Client();
        using var client = await SignedInAsync();
        var done = await SubmitAsync(api, """{ "items": [ { "id": "a", "type": "text", "prompt": "one" }, { "id": "b", "type": "text", "prompt": "two" } ] }""");
        await _gateway.DrainAsync();
        _gateway.Time.Advance(TimeSpan.FromSeconds(1));
        var waiting = await SubmitAsync(api, """{ "items": [ { "id": "a", "type": "text", "prompt": "three" }, { "id": "b", "type": "text", "depends_on": ["a"], "prompt": "{{a.output}}" } ] }""");

        var all = await client.GetPageAsync("/ui/jobs");

        Assert.Equal([waiting, done], Ids(all));
        var doneRow = Row(all, done);
        Assert.Contains("<span class=\"badge succeeded\">succeeded</span>", doneRow, StringComparison.Ordinal);
        Assert.Contains("<progress max=\"2\" value=\"2\" aria-label=\"2 of 2 done\"></progress><span>2 of 2 done</span>", doneRow, StringComparison.Ordinal);
        Assert.Contains("2 succeeded", doneRow, StringComparison.Ordinal);
        Assert.Contains(AdminKeyId, doneRow, StringComparison.Ordinal);
        var waitingRow = Row(all, waiting);
        Assert.Contains("<span class=\"badge queued\">queued</span>", waitingRow, StringComparison.Ordinal);
        Assert.Contains("0 of 2 done", waitingRow, StringComparison.Ordinal);
        Assert.Contains("1 waiting · 1 queued", waitingRow, StringComparison.Ordinal);
        Assert.Contains("data-refresh=\"/ui/jobs/live\"", all, StringComparison.Ordinal);
        Assert.Contains("<a href=\"/ui/jobs\" aria-current=\"page\">Jobs</a>", all, StringComparison.Ordinal);

        var succeeded = await client.GetPageAsync("/ui/jobs?status=succeeded");
        Assert.Equal([done], Ids(succeeded));
        Assert.DoesNotContain("data-refresh", succeeded, StringComparison.Ordinal);
        Assert.Contains("<option value=\"succeeded\" selected>", succeeded, StringComparison.Ordinal);
        Assert.Equal([waiting], Ids(await client.GetPageAsync("/ui/jobs?status=queued")));
        Assert.Empty(Ids(await client.GetPageAsync("/ui/jobs?status=running")));
        Assert.Equal([done], Ids(await client.GetPageAsync("/ui/jobs?limit=1&after=" + waiting)));
        Assert.Contains($"href=\"/ui/jobs?limit=1&amp;after={waiting}\">Older jobs</a>", await client.GetPageAsync("/ui/jobs?limit=1"), StringComparison.Ordinal);

        // The live fragment says when nothing it shows is open any more, so the page stops fetching it.
        using (var live = await client.Http.GetAsync("/ui/jobs/live", Ct))
        {
            Assert.False(live.Headers.Contains("x-switchyard-refresh"));
            Assert.Equal([waiting, done], Ids(await live.Content.ReadAsStringAsync(Ct)));
        }

        await _gateway.DrainAsync();
        using (var live = await client.Http.GetAsync("/ui/jobs/live", Ct))
        {
            Assert.Equal("done", live.Headers.GetValues("x-switchyard-refresh").Single());
        }
    }

    [Theory]
    [InlineData("status=lost", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("after=run_1", "after")]
    public async Task List_BadFilter_Is400NamingIt(string query, string param)
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync($"/ui/jobs?{query}", HttpStatusCode.BadRequest);

        Assert.Contains($"{param}: ", page, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_ShowsItemsWithRunsArtifactsAndTheDependencyFailedReason()
    {
        using var api = _gateway.Client();
        using var client = await SignedInAsync();
        var id = await SubmitAsync(api, """
            { "items": [
                { "id": "card", "type": "text", "prompt": "Flashcard for 'cardio'" },
                { "id": "picture", "type": "image", "depends_on": ["card"], "prompt": "{{card.output}}" },
                { "id": "broken", "type": "text", "model": "strict-text", "prompt": "[fail:invalid_request] nope" },
                { "id": "after-broken", "type": "image", "depends_on": ["broken"], "prompt": "{{broken.output}}" } ] }
            """);
        await _gateway.DrainAsync();
        var job = await JobsGateway.GetAsync(api, id);
        Assert.Equal("partially_succeeded", job.GetProperty("status").GetString());

        var page = await client.GetPageAsync($"/ui/jobs/{id}");

        Assert.Contains($"Job <span class=\"mono\">{id}</span>", page, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge partially_succeeded\">partially_succeeded</span>", page, StringComparison.Ordinal);
        Assert.Contains("4 of 4 done", page, StringComparison.Ordinal);
        Assert.Contains("2 succeeded · 1 failed · 1 skipped", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-refresh", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/cancel", page, StringComparison.Ordinal);

        var picture = ItemRow(page, "picture");
        var pictureRun = JobsGateway.Item(job, "picture").GetProperty("run_ids")[0].GetString();
        var artifact = JobsGateway.Item(job, "picture").GetProperty("output").GetProperty("artifact_ids")[0].GetString();
        Assert.Contains("<span class=\"badge succeeded\">succeeded</span>", picture, StringComparison.Ordinal);
        Assert.Contains($"href=\"/ui/runs/{pictureRun}\"", picture, StringComparison.Ordinal);
        Assert.Contains($"href=\"/ui/artifacts/{artifact}\"", picture, StringComparison.Ordinal);
        Assert.Contains("needs card", picture, StringComparison.Ordinal);

        var broken = ItemRow(page, "broken");
        Assert.Contains("<span class=\"badge failed\">failed</span>", broken, StringComparison.Ordinal);
        Assert.Contains("<code class=\"reason\">invalid_request</code>", broken, StringComparison.Ordinal);
        Assert.Contains("[fail:invalid_request] nope", broken, StringComparison.Ordinal);

        var skipped = ItemRow(page, "after-broken");
        Assert.Contains("<span class=\"badge skipped\">skipped</span>", skipped, StringComparison.Ordinal);
        Assert.Contains("<code class=\"reason\">dependency_failed</code>", skipped, StringComparison.Ordinal);
        Assert.Contains("&#x27;broken&#x27;, which failed", skipped, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">0</td>", skipped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_PromptsAndErrorMessagesWithMarkupAreText()
    {
        using var api = _gateway.Client();
        using var client = await SignedInAsync();
        var id = await SubmitAsync(api, """{ "items": [ { "id": "x", "type": "text", "prompt": "<script>alert('prompt')</script>" } ] }""");
        var lease = await _gateway.Store.ClaimAsync(
            new JobClaim { RunId = "run_manual", Token = "t1", Now = _gateway.Time.GetUtcNow(), Lease = TimeSpan.FromSeconds(30), MaxAttempts = 2 },
            Ct);
        await _gateway.Store.CompleteAsync(lease!, ItemResult.Failure("invalid_request", "upstream said <img src=x onerror=alert(1)>"), _gateway.Time.GetUtcNow(), Ct);

        var page = await client.GetPageAsync($"/ui/jobs/{id}");

        Assert.Contains("&lt;script&gt;alert(&#x27;prompt&#x27;)&lt;/script&gt;", ItemRow(page, "x"), StringComparison.Ordinal);
        Assert.Contains("upstream said &lt;img src=x onerror=alert(1)&gt;", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>alert", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<img src=x", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Detail_ListsTheJobsDeliveriesWithReSendBackToTheJob()
    {
        using var api = _gateway.Client();
        using var client = await SignedInAsync();
        var id = await SubmitAsync(api, """{ "items": [ { "id": "a", "type": "text", "prompt": "one" } ] }""");
        var delivery = await AddFailedDeliveryAsync(id, "receiver said <b>no</b>");
        await AddFailedDeliveryAsync("job_someone_else", "other");

        var page = await client.GetPageAsync($"/ui/jobs/{id}");

        var deliveries = Regex.Match(page, "<table id=\"deliveries-table\">(.*?)</table>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Single(Regex.Matches(deliveries, "href=\"/ui/webhooks/msg_"));
        Assert.Contains($"href=\"/ui/webhooks/{delivery}\"", deliveries, StringComparison.Ordinal);
        Assert.Contains("receiver said &lt;b&gt;no&lt;/b&gt;", deliveries, StringComparison.Ordinal);
        Assert.Contains($"action=\"/ui/webhooks/{delivery}/resend\"", deliveries, StringComparison.Ordinal);
        Assert.Contains($"name=\"back\" value=\"/ui/jobs/{id}\"", deliveries, StringComparison.Ordinal);
        Assert.Contains($"href=\"/ui/webhooks?subject={id}\"", page, StringComparison.Ordinal);

        var token = await client.TokenAsync($"/ui/jobs/{id}");
        using var response = await client.PostFormAsync($"/ui/webhooks/{delivery}/resend", new() { ["__csrf"] = token, ["back"] = $"/ui/jobs/{id}" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/ui/jobs/{id}?resent={delivery}", response.Headers.Location!.OriginalString);
        Assert.Contains($"Re-sent {delivery}", await client.GetPageAsync(response.Headers.Location.OriginalString), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_WithoutTokenIsRefused_WithTokenCancelsAsTheApiDoes()
    {
        using var api = _gateway.Client();
        using var client = await SignedInAsync();
        var id = await SubmitAsync(api, """{ "items": [ { "id": "a", "type": "text", "prompt": "one" }, { "id": "b", "type": "text", "depends_on": ["a"], "prompt": "{{a.output}}" } ] }""");
        var page = await client.GetPageAsync($"/ui/jobs/{id}");
        Assert.Contains($"action=\"/ui/jobs/{id}/cancel\"", page, StringComparison.Ordinal);
        Assert.Contains($"data-refresh=\"/ui/jobs/{id}/live\"", page, StringComparison.Ordinal);

        using (var refused = await client.PostFormAsync($"/ui/jobs/{id}/cancel", []))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("This form has expired", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        }

        var stillQueued = (await _gateway.Store.GetAsync(id, Ct))!;
        Assert.False(stillQueued.CancelRequested);
        Assert.Equal(JobStatus.Queued, stillQueued.Status);

        var token = await client.TokenAsync($"/ui/jobs/{id}");
        using var response = await client.PostFormAsync($"/ui/jobs/{id}/cancel", new() { ["__csrf"] = token });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/ui/jobs/{id}?cancelled=1", response.Headers.Location!.OriginalString);
        var job = await JobsGateway.GetAsync(api, id);
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        Assert.Equal(2, job.GetProperty("counts").GetProperty("cancelled").GetInt32());
        var after = await client.GetPageAsync(response.Headers.Location.OriginalString);
        Assert.Contains("Cancel asked for", after, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge cancelled\">cancelled</span>", after, StringComparison.Ordinal);
        Assert.DoesNotContain($"action=\"/ui/jobs/{id}/cancel\"", after, StringComparison.Ordinal);
        Assert.DoesNotContain("data-refresh", after, StringComparison.Ordinal);
        Assert.Equal(0, await _gateway.DrainAsync());
    }

    [Fact]
    public async Task UnknownJob_Is404Page_AndCancellingItIs404()
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync("/ui/jobs/job_nope", HttpStatusCode.NotFound);
        var token = await client.TokenAsync("/ui/jobs");
        using var cancel = await client.PostFormAsync("/ui/jobs/job_nope/cancel", new() { ["__csrf"] = token });

        Assert.Contains("No job <code>job_nope</code>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
    }

    [Fact]
    public async Task Pages_NeedASession()
    {
        using var client = DashboardClient.For(_gateway.App);

        using var response = await client.Http.GetAsync("/ui/jobs", Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/ui/login", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
    }

    private static async Task<string> SubmitAsync(HttpClient api, string body) =>
        (await JobsGateway.SubmitAsync(api, body)).GetProperty("id").GetString()!;

    private static List<string> Ids(string page) =>
        [.. Regex.Matches(page, "<th scope=\"row\"><a class=\"mono small\" href=\"/ui/jobs/(job_[0-9a-f]+)\">").Select(m => m.Groups[1].Value)];

    private static string Row(string page, string id) =>
        Regex.Match(page, $"<tr>\\s*<th scope=\"row\"><a class=\"mono small\" href=\"/ui/jobs/{id}\">.*?</tr>", RegexOptions.Singleline).Value;

    private static string ItemRow(string page, string itemId) =>
        Regex.Match(page, $"<tr id=\"item-{itemId}\">.*?</tr>", RegexOptions.Singleline) is { Success: true } m
            ? m.Value
            : throw new InvalidOperationException($"No row for item {itemId}:\n{page}");

    private async Task<DashboardClient> SignedInAsync()
    {
        var client = DashboardClient.For(_gateway.App);
        using var response = await client.LoginAsync(GatewayFactory.AdminKey);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    // A failed delivery of the job's subject, due in an hour so the dispatcher leaves it alone; 10.0.0.1 is not allow-listed.
    private async Task<string> AddFailedDeliveryAsync(string subject, string error)
    {
        var store = _gateway.Services.GetRequiredService<IWebhookDeliveryStore>();
        var now = _gateway.Time.GetUtcNow();
        var id = WebhookOutbox.NewId(now);
        await store.AddAsync(
            new WebhookDelivery
            {
                Id = id,
                OwnerKeyId = AdminKeyId,
                Url = "http://10.0.0.1/hooks/in",
                EventType = "job.completed",
                SubjectId = subject,
                Body = WebhookOutbox.Envelope("job.completed", now, JsonDocument.Parse("{\"n\":1}").RootElement),
                SecretRef = WebhookSecrets.KeyReference(AdminKeyId),
                Status = WebhookDeliveryStatus.Pending,
                NextTryAt = now.AddHours(1),
                CreatedAt = now,
            },
            Ct);
        Assert.Contains(await store.ClaimDueAsync(now.AddHours(1), now.AddHours(2), "test-lease", 100, Ct), d => d.Id == id);
        Assert.True(await store.CompleteTryAsync(id, "test-lease", new WebhookTry { StartedAt = now, DurationMs = 12, HttpStatus = 410, Error = error, Result = WebhookTryResult.Failed }, null, Ct));
        return id;
    }
}
