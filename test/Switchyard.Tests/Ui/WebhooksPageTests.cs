using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.Webhooks;
using Switchyard.Webhooks;

namespace Switchyard.Tests.Ui;

/// <summary>
/// The dashboard's webhook deliveries (<c>/ui/webhooks</c>) over the gateway's own store, in-process on a fake clock: the
/// dispatcher only tries what is due now, so deliveries stored here are due in an hour and only a re-send makes one due.
/// </summary>
public sealed partial class WebhooksPageTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    // The deliveries are signed with the admin key's webhook secret (an alert's would need alerts.webhook.secret).
    private const string AdminKeyId = "key_TestAdmin001";

    private readonly GatewayFactory _factory = new() { Time = new FakeTimeProvider(Now) };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IWebhookDeliveryStore Store => _factory.Services.GetRequiredService<IWebhookDeliveryStore>();

    public void Dispose() => _factory.Dispose();

    [Fact]
    public async Task List_ShowsTheColumnsAndFiltersByStatusEventTypeAndSubject()
    {
        using var client = await SignedInAsync();
        var pending = await AddAsync(-3, "job_a", "job.completed");
        var failed = await AddAsync(-2, "job_a", "job.item.completed");
        var delivered = await AddAsync(-1, "image-down", "alert.firing", WebhookDeliveryStatus.Delivered);
        await FailOnceAsync(failed, 410, "127.0.0.1 answered HTTP 410; a 4xx other than 408, 409, 425 or 429 is not retried");

        var all = await client.GetPageAsync("/ui/webhooks");
        Assert.Equal([delivered, failed, pending], Ids(all));
        Assert.Contains("<th scope=\"col\">Last error</th>", all, StringComparison.Ordinal);
        Assert.Contains("http://10.0.0.1/hooks/in", all, StringComparison.Ordinal);

        var onlyFailed = await client.GetPageAsync("/ui/webhooks?status=failed");
        Assert.Equal([failed], Ids(onlyFailed));
        var row = Row(onlyFailed, failed);
        Assert.Contains("job.item.completed", row, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge failed\">failed</span>", row, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">410</td>", row, StringComparison.Ordinal);
        Assert.Contains("a 4xx other than 408", row, StringComparison.Ordinal);
        Assert.Contains($"action=\"/ui/webhooks/{failed}/resend\"", row, StringComparison.Ordinal);
        Assert.DoesNotContain("/resend", Row(all, pending), StringComparison.Ordinal);
        Assert.Contains("<option value=\"failed\" selected>", onlyFailed, StringComparison.Ordinal);

        Assert.Equal([pending], Ids(await client.GetPageAsync("/ui/webhooks?event_type=job.completed")));
        Assert.Equal([failed, pending], Ids(await client.GetPageAsync("/ui/webhooks?subject=job_a")));
        Assert.Equal([delivered], Ids(await client.GetPageAsync("/ui/webhooks?subject=image-down&status=delivered")));
        Assert.Contains("No webhook deliveries match", await client.GetPageAsync("/ui/webhooks?subject=job_none"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_PagesWithTheCursorKeepingTheFilters()
    {
        using var client = await SignedInAsync();
        var ids = new List<string>();
        for (var i = 5; i >= 1; i--)
        {
            ids.Add(await AddAsync(-i, "job_p", "job.completed"));
        }

        await AddAsync(-6, "job_other", "job.completed");
        ids.Reverse();

        var first = await client.GetPageAsync("/ui/webhooks?subject=job_p&limit=2");
        Assert.Equal(ids[..2], Ids(first));
        var next = Older().Match(first).Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal);
        Assert.Equal($"/ui/webhooks?subject=job_p&limit=2&after={ids[1]}", next);
        var second = await client.GetPageAsync(next);
        Assert.Equal(ids[2..4], Ids(second));
        var third = await client.GetPageAsync(Older().Match(second).Groups[1].Value.Replace("&amp;", "&", StringComparison.Ordinal));
        Assert.Equal(ids[4..], Ids(third));
        Assert.DoesNotMatch(Older(), third);
    }

    [Theory]
    [InlineData("status=lost", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("after=run_1", "after")]
    public async Task List_BadFilter_Is400NamingIt(string query, string param)
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync($"/ui/webhooks?{query}", HttpStatusCode.BadRequest);

        Assert.Contains($"{param}: ", page, StringComparison.Ordinal);
        Assert.Contains("role=\"alert\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_UrlShowsHostAndPathButNeverItsQueryOrUserInfo()
    {
        using var client = await SignedInAsync();
        var id = await AddAsync(-1, "job_s", "job.completed", url: new Uri("https://hook-user:hunter2@receiver.example:8443/in/switchyard?token=s3cr3t-token"));

        var list = await client.GetPageAsync("/ui/webhooks");
        var detail = await client.GetPageAsync($"/ui/webhooks/{id}");

        foreach (var html in new[] { list, detail })
        {
            Assert.Contains("https://receiver.example:8443/in/switchyard?&#x2026;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("s3cr3t-token", html, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Detail_ShowsTriesAndPrettyPayload_WithMarkupInPayloadAndErrorAsText()
    {
        using var client = await SignedInAsync();
        var data = JsonDocument.Parse("""{"prompt":"<script>alert('x')</script>","n":7}""").RootElement;
        var id = await AddAsync(-1, "job_<b>x</b>", "job.completed", data: data);
        await FailOnceAsync(id, 410, "receiver said <img src=x onerror=alert(1)>");

        var page = await client.GetPageAsync($"/ui/webhooks/{id}");
        var list = await client.GetPageAsync("/ui/webhooks");

        Assert.Contains($"Delivery <span class=\"mono\">{id}</span>", page, StringComparison.Ordinal);
        var payload = Regex.Match(page, "<pre class=\"preview\" id=\"payload\">(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("{&#xA;  &quot;type&quot;: &quot;job.completed&quot;,", payload, StringComparison.Ordinal);
        Assert.Contains("&quot;prompt&quot;: &quot;&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&quot;", payload, StringComparison.Ordinal);
        var tries = Regex.Match(page, "<table id=\"tries-table\">(.*?)</table>", RegexOptions.Singleline).Groups[1].Value;
        Assert.Single(Regex.Matches(tries, "<tr><th scope=\"row\""));
        Assert.Contains("<td class=\"num\">410</td>", tries, StringComparison.Ordinal);
        Assert.Contains("<td class=\"num\">12 ms</td>", tries, StringComparison.Ordinal);
        Assert.Contains("2026-11-23 12:00:00 UTC", tries, StringComparison.Ordinal);
        foreach (var html in new[] { page, list })
        {
            Assert.Contains("receiver said &lt;img src=x onerror=alert(1)&gt;", html, StringComparison.Ordinal);
            Assert.Contains("job_&lt;b&gt;x&lt;/b&gt;", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<img src=x", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<script>alert", html, StringComparison.Ordinal);
            Assert.DoesNotContain("<b>x</b>", html, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Detail_UnknownDelivery_Is404Page()
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync("/ui/webhooks/msg_nope", HttpStatusCode.NotFound);

        Assert.Contains("No webhook delivery <code>msg_nope</code>", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resend_WithoutToken_Is400AndLeavesTheDeliveryFailed()
    {
        using var client = await SignedInAsync();
        var id = await AddAsync(-1, "job_a", "job.completed");
        await FailOnceAsync(id, 410, "gone");
        await client.GetPageAsync($"/ui/webhooks/{id}");

        using var response = await client.PostFormAsync($"/ui/webhooks/{id}/resend", new() { ["back"] = "/ui/webhooks" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("This form has expired", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var stored = (await Store.GetAsync(id, Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, 1, 1), (stored.Status, stored.Tries, stored.RoundTries));
    }

    [Fact]
    public async Task Resend_WithToken_RequeuesWithTheSameIdAndBodyAndRedirectsBackWithANotice()
    {
        // The receiver never answers, so the re-sent delivery stays pending (and leased) while the test looks at it.
        await using var receiver = new LoopbackReceiver(0);
        using var client = await SignedInAsync();
        var id = await AddAsync(-1, "job_a", "job.completed", url: receiver.Url);
        await FailOnceAsync(id, 410, "gone");
        var token = await client.TokenAsync($"/ui/webhooks/{id}");

        using var response = await client.PostFormAsync($"/ui/webhooks/{id}/resend", new() { ["__csrf"] = token, ["back"] = "/ui/webhooks?status=failed&resent=msg_old" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/ui/webhooks?status=failed&resent={id}", response.Headers.Location!.OriginalString);
        var received = await receiver.NextAsync();
        Assert.Equal(id, received.Headers["webhook-id"]);
        var stored = (await Store.GetAsync(id, Ct))!;
        Assert.Equal(stored.Body, received.Body);
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, 0), (stored.Status, stored.Tries, stored.RoundTries));

        var back = await client.GetPageAsync(response.Headers.Location.OriginalString);
        Assert.Contains($"Re-sent {id}: queued again with the same webhook-id and body", back, StringComparison.Ordinal);
        Assert.DoesNotContain(id, string.Join(' ', Ids(back)), StringComparison.Ordinal);
        var detail = await client.GetPageAsync($"/ui/webhooks/{id}");
        Assert.Contains("<span class=\"badge pending\">pending</span>", detail, StringComparison.Ordinal);
        Assert.Contains($"data-refresh=\"/ui/webhooks/{id}/live\"", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("/resend", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resend_BackElsewhere_GoesToTheDeliveryInstead()
    {
        await using var receiver = new LoopbackReceiver(0);
        using var client = await SignedInAsync();
        var id = await AddAsync(-1, "job_a", "job.completed", WebhookDeliveryStatus.Delivered, url: receiver.Url);
        var token = await client.TokenAsync($"/ui/webhooks/{id}");

        using var response = await client.PostFormAsync($"/ui/webhooks/{id}/resend", new() { ["__csrf"] = token, ["back"] = "//evil.example/ui/webhooks" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/ui/webhooks/{id}?resent={id}", response.Headers.Location!.OriginalString);
        Assert.Equal(id, (await receiver.NextAsync()).Headers["webhook-id"]);
    }

    [Fact]
    public async Task Resend_UnknownDelivery_Is404()
    {
        using var client = await SignedInAsync();
        var token = await client.TokenAsync("/ui/webhooks");

        using var response = await client.PostFormAsync("/ui/webhooks/msg_nope/resend", new() { ["__csrf"] = token });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Overview_TileCountsFailedDeliveriesOfTheWindowAndLinksToThem()
    {
        using var client = await SignedInAsync();
        foreach (var minutes in new[] { -50, -20, -5 })
        {
            await AddAsync(minutes * 60, "job_f", "job.completed", WebhookDeliveryStatus.Failed);
        }

        await AddAsync(-2 * 3600, "job_old", "job.completed", WebhookDeliveryStatus.Failed);
        await AddAsync(-60, "job_ok", "job.completed", WebhookDeliveryStatus.Delivered);

        var hour = Tile(await client.GetPageAsync("/ui?window=1h"));
        var quarter = Tile(await client.GetPageAsync("/ui?window=15m"));
        var day = Tile(await client.GetPageAsync("/ui?window=24h"));

        Assert.Contains(">3</a>", hour, StringComparison.Ordinal);
        Assert.Contains(">1</a>", quarter, StringComparison.Ordinal);
        Assert.Contains(">4</a>", day, StringComparison.Ordinal);
        Assert.Contains("href=\"/ui/webhooks?status=failed\"", hour, StringComparison.Ordinal);
        Assert.Contains("value bad", hour, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Navigation_HasTheWebhooksPage()
    {
        using var client = await SignedInAsync();

        var page = await client.GetPageAsync("/ui/webhooks");

        Assert.Contains("<a href=\"/ui/webhooks\" aria-current=\"page\">Webhooks</a>", page, StringComparison.Ordinal);
    }

    private static string Tile(string page) =>
        Regex.Match(page, "<div class=\"tile\" id=\"tile-webhooks-failed\">(.*?)</div></div>", RegexOptions.Singleline) is { Success: true } m
            ? m.Groups[1].Value
            : throw new InvalidOperationException("No failed webhooks tile:\n" + page);

    private static List<string> Ids(string page) =>
        [.. Regex.Matches(page, "<th scope=\"row\" class=\"wrap\"><a class=\"mono small\" href=\"/ui/webhooks/(msg_[0-9a-f]+)\">").Select(m => m.Groups[1].Value)];

    private static string Row(string page, string id) =>
        Regex.Match(page, $"<tr>\\s*<th scope=\"row\" class=\"wrap\"><a class=\"mono small\" href=\"/ui/webhooks/{id}\">.*?</tr>", RegexOptions.Singleline).Value;

    private async Task<DashboardClient> SignedInAsync()
    {
        var client = DashboardClient.For(_factory);
        using var response = await client.LoginAsync(GatewayFactory.AdminKey);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    private async Task<string> AddAsync(int seconds, string subject, string eventType, WebhookDeliveryStatus status = WebhookDeliveryStatus.Pending, Uri? url = null, JsonElement? data = null)
    {
        var at = Now.AddSeconds(seconds);
        var id = WebhookOutbox.NewId(at);
        await Store.AddAsync(
            new WebhookDelivery
            {
                Id = id,
                OwnerKeyId = AdminKeyId,
                // 10.0.0.1 is not allow-listed: a delivery tried there is refused by the guard before any connection.
                Url = (url ?? new Uri("http://10.0.0.1/hooks/in")).AbsoluteUri,
                EventType = eventType,
                SubjectId = subject,
                Body = WebhookOutbox.Envelope(eventType, at, data ?? JsonDocument.Parse("{\"n\":1}").RootElement),
                SecretRef = WebhookSecrets.KeyReference(AdminKeyId),
                Status = status,
                NextTryAt = status == WebhookDeliveryStatus.Pending ? Now.AddHours(1) : null,
                CreatedAt = at,
                DeliveredAt = status == WebhookDeliveryStatus.Delivered ? at : null,
            },
            Ct);
        return id;
    }

    // Claims the delivery as a node would an hour from now and records one refused try.
    private async Task FailOnceAsync(string id, int status, string error)
    {
        Assert.Contains(await Store.ClaimDueAsync(Now.AddHours(1), Now.AddHours(2), "test-lease", 100, Ct), d => d.Id == id);
        Assert.True(await Store.CompleteTryAsync(id, "test-lease", new WebhookTry { StartedAt = Now, DurationMs = 12, HttpStatus = status, Error = error, Result = WebhookTryResult.Failed }, null, Ct));
    }

    [GeneratedRegex("<a class=\"button secondary\" href=\"(/ui/webhooks\\?[^\"]*)\">Older deliveries</a>")]
    private static partial Regex Older();
}
