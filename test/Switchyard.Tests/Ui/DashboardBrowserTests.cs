using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Switchyard.Tests.Ui;

/// <summary>
/// The dashboard in a real browser (Debian's Chromium through Playwright) against the real executable on 127.0.0.1:
/// sign in, charts fed by sandbox traffic, a failed run found with the filters and its timeline, keys created and
/// revoked, a job with a failed item and its skipped dependant. Screenshots of each page are saved next to the test assembly under <c>screenshots/</c>.
/// </summary>
public sealed partial class DashboardBrowserTests : IClassFixture<DashboardBrowserFixture>
{
    private readonly DashboardBrowserFixture _fixture;

    public DashboardBrowserTests(DashboardBrowserFixture fixture)
    {
        _fixture = fixture;
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Overview_AfterSignIn_ShowsChartsAndTablesFedBySandboxTraffic()
    {
        await SendTrafficAsync();
        var page = await _fixture.Browser.NewPageAsync();
        var dialogs = WatchDialogs(page);

        await page.GotoAsync("/ui?window=15m&refresh=2");
        await SignInIfAskedAsync(page);

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/ui\\?window=15m&refresh=2$"));
        await Assertions.Expect(page.Locator("#chart-outcomes polygon")).ToHaveCountAsync(3);
        Assert.True(await page.Locator("#chart-latency path, #chart-latency circle").CountAsync() >= 3, "no latency line or point drawn");
        await Assertions.Expect(page.Locator("#route-table")).ToContainTextAsync("strict");
        await Assertions.Expect(page.Locator("#route-table")).ToContainTextAsync("image");
        await Assertions.Expect(page.Locator("#provider-table")).ToContainTextAsync("placeholder");
        await Assertions.Expect(page.Locator("#error_class-table")).ToContainTextAsync("unavailable");
        await Assertions.Expect(page.Locator("#circuit-table")).ToContainTextAsync("closed");

        // The live region is re-fetched by the served script: the alert the traffic set off shows up without a reload.
        await Assertions.Expect(page.Locator("#refresh-status")).ToContainTextAsync("Updated", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#firing-alerts")).ToContainTextAsync("image-placeholder", new() { Timeout = 30_000 });
        var chartTitle = await page.Locator("#chart-outcomes title").First.TextContentAsync();
        Assert.StartsWith("Outcomes of runs", chartTitle, StringComparison.Ordinal);
        Assert.Empty(dialogs);
        await ShotAsync(page, "overview");
    }

    [Fact]
    public async Task Runs_FilteredToAFailedRun_OpenItsAttemptTimelineWithThePromptEscaped()
    {
        await SendTrafficAsync();
        var page = await _fixture.Browser.NewPageAsync();
        var dialogs = WatchDialogs(page);
        await page.GotoAsync("/ui/runs");
        await SignInIfAskedAsync(page);

        await page.GetByLabel("Outcome").SelectOptionAsync("failed");
        await page.GetByLabel("Route").SelectOptionAsync("strict");
        await page.GetByLabel("Error class").SelectOptionAsync("unavailable");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("outcome=failed&error_class=unavailable.*route=strict"));
        var rows = page.Locator("#runs-table tbody tr");
        await Assertions.Expect(rows.First).ToContainTextAsync("failed");
        Assert.All(await rows.AllInnerTextsAsync(), row => Assert.Contains("strict", row, StringComparison.Ordinal));
        await ShotAsync(page, "runs-filtered");

        await rows.First.Locator("a").ClickAsync();

        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Run run_");
        var attempts = page.Locator("#attempts-table tbody tr");
        await Assertions.Expect(attempts).ToHaveCountAsync(2);
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync("sandbox-a/sandbox-image");
        await Assertions.Expect(attempts.Nth(0)).ToContainTextAsync("unavailable");
        await Assertions.Expect(attempts.Nth(1)).ToContainTextAsync("sandbox-b/sandbox-image");
        await Assertions.Expect(page.Locator("#timeline rect")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#prompt-preview")).ToContainTextAsync("<script>alert('xss')</script>");
        Assert.Equal(0, await page.Locator("main script").CountAsync());
        Assert.Empty(dialogs);
        await ShotAsync(page, "run-failed");
    }

    [Fact]
    public async Task RunPage_OfAnImageStoredAsALink_ShowsItsThumbnail()
    {
        var runId = await SendTrafficAsync();
        var page = await _fixture.Browser.NewPageAsync();
        await page.GotoAsync($"/ui/runs/{runId}");
        await SignInIfAskedAsync(page);

        var image = page.Locator("#output-preview img");
        await Assertions.Expect(image).ToHaveCountAsync(1);
        await Assertions.Expect(image).ToHaveAttributeAsync("alt", new Regex("^Generated image .* for run " + runId));
        var width = await image.EvaluateAsync<int>("img => img.complete ? img.naturalWidth : new Promise(r => img.onload = () => r(img.naturalWidth))");
        Assert.True(width > 0, "the thumbnail did not load");
        await ShotAsync(page, "run-image");
    }

    [Fact]
    public async Task Keys_CreateShowsTheKeyOnce_ThenRevokeAfterConfirming()
    {
        var page = await _fixture.Browser.NewPageAsync();
        await page.GotoAsync("/ui/keys");
        await SignInIfAskedAsync(page);

        await page.GetByLabel("Name").FillAsync("browser-test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();

        var created = page.Locator("#new-key");
        await Assertions.Expect(created).ToContainTextAsync("Copy the key now");
        var key = KeyText().Match(await created.InnerTextAsync()).Value;
        Assert.NotEmpty(key);
        var id = "key_" + key.Split('_')[1];
        using (var api = _fixture.Gateway.CreateHttpClient(key))
        {
            Assert.True((await api.GetAsync("/v1/models", Ct)).IsSuccessStatusCode);
        }

        await ShotAsync(page, "keys-created");
        var confirmed = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            confirmed.Add(dialog.Message);
            _ = dialog.AcceptAsync();
        };
        await page.GetByRole(AriaRole.Button, new() { Name = $"Revoke {id}" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice.ok")).ToContainTextAsync($"Revoked {id}");
        Assert.Contains(confirmed, m => m.Contains(id, StringComparison.Ordinal));
        Assert.DoesNotContain(key, await page.ContentAsync(), StringComparison.Ordinal);
        using (var api = _fixture.Gateway.CreateHttpClient(key))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await api.GetAsync("/v1/models", Ct)).StatusCode);
        }

        await ShotAsync(page, "keys-revoked");
    }

    [Fact]
    public async Task ProvidersAndAlerts_ShowDoctorChecksCircuitsAndRules()
    {
        await SendTrafficAsync();
        var page = await _fixture.Browser.NewPageAsync();
        await page.GotoAsync("/ui/providers");
        await SignInIfAskedAsync(page);

        await Assertions.Expect(page.Locator("#provider-sandbox-a")).ToContainTextAsync("closed");
        await Assertions.Expect(page.Locator("#provider-sandbox-a-section table.doctor")).ToContainTextAsync("offline provider, always available");
        await Assertions.Expect(page.Locator("#provider-placeholder-section")).ToContainTextAsync("Last hour");
        await ShotAsync(page, "providers");

        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#alert-rules")).ToContainTextAsync("image-placeholder");
        await Assertions.Expect(page.Locator("#alert-rules")).ToContainTextAsync("placeholder share route image above 5.0%");
        await ShotAsync(page, "alerts");
    }

    [Fact]
    public async Task Webhooks_AFailedAlertDelivery_FoundFromTheOverviewAndReSentWithTheSameId()
    {
        await SendTrafficAsync();

        // The placeholder alert the traffic sets off is posted to the receiver, which refuses it with 410: failed at once.
        var first = await _fixture.Receiver.NextAsync();
        Assert.Equal(410, first.AnsweredWith);
        var id = first.Headers["webhook-id"];
        Assert.Contains("\"type\":\"alert.firing\"", System.Text.Encoding.UTF8.GetString(first.Body), StringComparison.Ordinal);
        var page = await _fixture.Browser.NewPageAsync();
        var dialogs = WatchDialogs(page);
        await page.GotoAsync("/ui?window=15m&refresh=2");
        await SignInIfAskedAsync(page);

        // The overview's live region picks up the failure without a reload.
        await Assertions.Expect(page.Locator("#tile-webhooks-failed a")).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        await ShotAsync(page, "overview-webhooks");
        await page.Locator("#tile-webhooks-failed a").ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("/ui/webhooks\\?status=failed$"));
        await Assertions.Expect(page.Locator("#deliveries-table tbody tr")).ToHaveCountAsync(1);

        await page.GetByRole(AriaRole.Link, new() { Name = "Webhooks", Exact = true }).ClickAsync();
        await page.GetByLabel("Status").SelectOptionAsync("failed");
        await page.GetByLabel("Event type").FillAsync("alert.firing");
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Regex("status=failed&event_type=alert.firing"));
        var row = page.Locator("#deliveries-table tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync(id);
        await Assertions.Expect(row).ToContainTextAsync("image-placeholder");
        await Assertions.Expect(row).ToContainTextAsync("410");
        await Assertions.Expect(row).ToContainTextAsync(_fixture.Receiver.Url.ToString());
        await ShotAsync(page, "webhooks-failed");

        await row.GetByRole(AriaRole.Link, new() { Name = id }).ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(id);
        await Assertions.Expect(page.Locator("#tries-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#tries-table")).ToContainTextAsync("410");
        await Assertions.Expect(page.Locator("#payload")).ToContainTextAsync("\"type\": \"alert.firing\"");
        await ShotAsync(page, "webhook-failed");

        await page.GetByRole(AriaRole.Button, new() { Name = $"Re-send {id}" }).ClickAsync();

        await Assertions.Expect(page.Locator(".notice.ok")).ToContainTextAsync($"Re-sent {id}");
        var second = await _fixture.Receiver.NextAsync();
        Assert.Equal((id, 200), (second.Headers["webhook-id"], second.AnsweredWith));
        Assert.Equal(first.Body, second.Body);

        // The page of a pending delivery updates itself until the try is recorded.
        await Assertions.Expect(page.Locator("#delivery-facts .badge").First).ToHaveTextAsync("delivered", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("#tries-table tbody tr")).ToHaveCountAsync(2);
        Assert.Empty(dialogs);
        await ShotAsync(page, "webhook-resent");
    }

    [Fact]
    public async Task Jobs_AJobWithAFailedItem_ShowsItsItemStatusesAndTheSkippedReason()
    {
        string jobId;
        using (var api = _fixture.Gateway.CreateHttpClient(_fixture.Gateway.AdminKey))
        {
            using var response = await api.PostAsync(
                "/v1/jobs",
                new StringContent("""
                    { "items": [
                        { "id": "card", "type": "text", "model": "text", "prompt": "A flashcard about lighthouses" },
                        { "id": "picture", "type": "image", "model": "image", "depends_on": ["card"], "prompt": "{{card.output}}", "size": "256x256" },
                        { "id": "broken", "type": "text", "model": "text", "prompt": "[fail:invalid_request] a card that cannot be made" },
                        { "id": "broken-picture", "type": "image", "model": "image", "depends_on": ["broken"], "prompt": "{{broken.output}}", "size": "256x256" } ] }
                    """, System.Text.Encoding.UTF8, "application/json"),
                Ct);
            var body = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, body);
            jobId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        }

        var page = await _fixture.Browser.NewPageAsync();
        var dialogs = WatchDialogs(page);
        await page.GotoAsync("/ui");
        await SignInIfAskedAsync(page);
        await page.GetByRole(AriaRole.Link, new() { Name = "Jobs", Exact = true }).ClickAsync();

        // The list refreshes itself while the job runs; the workers finish it in the background.
        var row = page.Locator("#jobs-table tbody tr").Filter(new() { HasText = jobId });
        await Assertions.Expect(row).ToContainTextAsync("partially_succeeded", new() { Timeout = 30_000 });
        await Assertions.Expect(row).ToContainTextAsync("4 of 4 done");
        await Assertions.Expect(row).ToContainTextAsync("2 succeeded · 1 failed · 1 skipped");
        await ShotAsync(page, "jobs");

        await row.GetByRole(AriaRole.Link, new() { Name = jobId }).ClickAsync();

        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync(jobId);
        await Assertions.Expect(page.Locator("#item-card .badge")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(page.Locator("#item-picture .badge")).ToHaveTextAsync("succeeded");
        await Assertions.Expect(page.Locator("#item-picture a[href^='/ui/artifacts/']")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#item-broken .badge")).ToHaveTextAsync("failed");
        await Assertions.Expect(page.Locator("#item-broken")).ToContainTextAsync("invalid_request");
        await Assertions.Expect(page.Locator("#item-broken-picture .badge")).ToHaveTextAsync("skipped");
        await Assertions.Expect(page.Locator("#item-broken-picture .reason")).ToHaveTextAsync("dependency_failed");
        await Assertions.Expect(page.Locator("#item-broken-picture")).ToContainTextAsync("'broken', which failed");
        Assert.Equal(0, await page.Locator("form[action$='/cancel']").CountAsync());
        Assert.Empty(dialogs);
        await ShotAsync(page, "job");

        // The run link of an item leads to that run's page.
        await page.Locator("#item-broken a[href^='/ui/runs/']").ClickAsync();
        await Assertions.Expect(page.Locator("h1")).ToContainTextAsync("Run run_");
    }

    [Fact]
    public async Task SignIn_WithAWrongKey_SaysSoAndStaysOnTheForm()
    {
        var context = await _fixture.Browser.Browser!.NewContextAsync(new() { BaseURL = _fixture.Gateway.BaseAddress.ToString() });
        await using var _ = context;
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ui");

        await page.GetByLabel("Admin key").FillAsync("sy_NotAKey000000_aaaaaaaaaaaaaaaaaaaaaaaa");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("not a valid, active Switchyard key");
        await Assertions.Expect(page.GetByLabel("Admin key")).ToHaveAttributeAsync("aria-invalid", "true");
        await ShotAsync(page, "login-wrong-key");
    }

    private async Task SignInIfAskedAsync(IPage page)
    {
        if (!page.Url.Contains("/ui/login", StringComparison.Ordinal))
        {
            return;
        }

        await page.GetByLabel("Admin key").FillAsync(_fixture.Gateway.AdminKey!);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/ui/login", StringComparison.Ordinal));
    }

    private Task<string> SendTrafficAsync() => _fixture.TrafficAsync();

    private static List<string> WatchDialogs(IPage page)
    {
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };
        return dialogs;
    }

    private static async Task ShotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardBrowserFixture.ScreenshotFolder, name + ".png"), FullPage = true });

    [GeneratedRegex("sy_[A-Za-z0-9]{12}_[A-Za-z0-9]{40}")]
    private static partial Regex KeyText();
}
