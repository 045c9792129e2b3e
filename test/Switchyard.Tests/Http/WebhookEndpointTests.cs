using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Keys;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.Webhooks;
using Switchyard.Webhooks;

namespace Switchyard.Tests.Http;

/// <summary>
/// <c>/v1/webhooks/deliveries</c> over the gateway's own store. The gateway runs on a fake clock, so its dispatcher only
/// tries what is due now: the deliveries are stored due in an hour, and a re-send is what makes one due.
/// </summary>
public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private readonly GatewayFactory _factory = new() { Time = new FakeTimeProvider(Now) };
    private HttpClient _admin = null!;
    private HttpClient _alice = null!;
    private HttpClient _bob = null!;
    private string _aliceId = null!;
    private string _bobId = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IWebhookDeliveryStore Store => _factory.Services.GetRequiredService<IWebhookDeliveryStore>();

    public async ValueTask InitializeAsync()
    {
        _admin = _factory.CreateClientWithKey();
        var keys = _factory.Services.GetRequiredService<IKeyStore>();
        (_alice, _aliceId) = await AddKeyAsync(keys, "alice");
        (_bob, _bobId) = await AddKeyAsync(keys, "bob");
    }

    public ValueTask DisposeAsync()
    {
        _admin.Dispose();
        _alice.Dispose();
        _bob.Dispose();
        _factory.Dispose();
        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task List_ClientKey_SeesOnlyItsOwnAndAdminSeesAllWithServerEvents()
    {
        var a1 = await AddAsync(1, _aliceId, "job_a", "job.completed");
        var a2 = await AddAsync(2, _aliceId, "job_a", "job.item.completed");
        var b1 = await AddAsync(3, _bobId, "job_b", "job.completed");
        var alert = await AddAsync(4, null, "image-down", "alert.firing");

        Assert.Equal([a2, a1], await IdsAsync(_alice, "/v1/webhooks/deliveries"));
        Assert.Equal([b1], await IdsAsync(_bob, "/v1/webhooks/deliveries"));
        Assert.Equal([alert, b1, a2, a1], await IdsAsync(_admin, "/v1/webhooks/deliveries"));
        Assert.Equal([b1], await IdsAsync(_admin, $"/v1/webhooks/deliveries?key={_bobId}"));
        Assert.Equal([a2, a1], await IdsAsync(_bob, "/v1/webhooks/deliveries?subject=job_a", admin: _admin));
        Assert.Empty(await IdsAsync(_bob, "/v1/webhooks/deliveries?subject=job_a"));
        using var forbidden = await _bob.GetAsync($"/v1/webhooks/deliveries?key={_aliceId}", Ct);
        await HttpAssert.ErrorAsync(forbidden, HttpStatusCode.Forbidden, "key", "key_not_allowed");
    }

    [Fact]
    public async Task List_Filters_AndCursorPages()
    {
        var a1 = await AddAsync(1, _aliceId, "job_a", "job.completed");
        var a2 = await AddAsync(2, _aliceId, "job_a", "job.item.completed", WebhookDeliveryStatus.Failed);
        var a3 = await AddAsync(3, _aliceId, "job_c", "job.completed", WebhookDeliveryStatus.Delivered);

        Assert.Equal([a2], await IdsAsync(_alice, "/v1/webhooks/deliveries?status=failed"));
        Assert.Equal([a3, a1], await IdsAsync(_alice, "/v1/webhooks/deliveries?event_type=job.completed"));
        Assert.Equal([a2, a1], await IdsAsync(_alice, "/v1/webhooks/deliveries?subject=job_a"));
        Assert.Equal([a1], await IdsAsync(_alice, "/v1/webhooks/deliveries?subject=job_a&status=pending"));

        var first = await GetJsonAsync(_alice, "/v1/webhooks/deliveries?limit=2");
        Assert.Equal("list", first.GetProperty("object").GetString());
        Assert.True(first.GetProperty("has_more").GetBoolean());
        Assert.Equal(a2, first.GetProperty("next_cursor").GetString());
        var second = await GetJsonAsync(_alice, $"/v1/webhooks/deliveries?limit=2&after={a2}");
        Assert.False(second.GetProperty("has_more").GetBoolean());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next_cursor").ValueKind);
        Assert.Equal([a1], second.GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetString()!));
    }

    [Theory]
    [InlineData("status=lost", "status")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=many", "limit")]
    [InlineData("after=run_1", "after")]
    public async Task List_BadParameter_Is400NamingIt(string query, string param)
    {
        using var response = await _alice.GetAsync($"/v1/webhooks/deliveries?{query}", Ct);

        await HttpAssert.ErrorAsync(response, HttpStatusCode.BadRequest, param, "invalid_value");
    }

    [Fact]
    public async Task Get_OwnDelivery_ShowsItsPayloadAndTriesButNoSecret()
    {
        var id = await AddAsync(1, _aliceId, "job_a", "job.completed");
        await FailOnceAsync(id, 410, "127.0.0.1 answered HTTP 410; a 4xx other than 408, 409, 425 or 429 is not retried");

        var delivery = await GetJsonAsync(_alice, $"/v1/webhooks/deliveries/{id}");

        Assert.Equal("webhook.delivery", delivery.GetProperty("object").GetString());
        Assert.Equal((id, _aliceId, "failed", 1, 410, "key"), (
            delivery.GetProperty("id").GetString(), delivery.GetProperty("key_id").GetString(), delivery.GetProperty("status").GetString(),
            delivery.GetProperty("try_count").GetInt32(), delivery.GetProperty("last_http_status").GetInt32(), delivery.GetProperty("signed_with").GetString()));
        Assert.Equal("job.completed", delivery.GetProperty("payload").GetProperty("type").GetString());
        Assert.Equal(1, delivery.GetProperty("payload").GetProperty("data").GetProperty("n").GetInt32());
        var attempt = Assert.Single(delivery.GetProperty("tries").EnumerateArray());
        Assert.Equal(("failed", 410), (attempt.GetProperty("result").GetString(), attempt.GetProperty("http_status").GetInt32()));
        Assert.DoesNotContain("secret_ref", delivery.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", delivery.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAndResend_AnotherKeysDelivery_Are404ButAdminMayDoBoth()
    {
        var id = await AddAsync(1, _aliceId, "job_a", "job.completed", WebhookDeliveryStatus.Failed);

        using var get = await _bob.GetAsync($"/v1/webhooks/deliveries/{id}", Ct);
        await HttpAssert.ErrorAsync(get, HttpStatusCode.NotFound, "id", "delivery_not_found");
        using var resend = await _bob.PostAsync($"/v1/webhooks/deliveries/{id}/resend", null, Ct);
        await HttpAssert.ErrorAsync(resend, HttpStatusCode.NotFound, "id", "delivery_not_found");
        using var unknown = await _alice.GetAsync("/v1/webhooks/deliveries/msg_nope", Ct);
        await HttpAssert.ErrorAsync(unknown, HttpStatusCode.NotFound, "id", "delivery_not_found");
        Assert.Equal(WebhookDeliveryStatus.Failed, (await Store.GetAsync(id, Ct))!.Status);

        Assert.Equal(id, (await GetJsonAsync(_admin, $"/v1/webhooks/deliveries/{id}")).GetProperty("id").GetString());
        using var adminResend = await _admin.PostAsync($"/v1/webhooks/deliveries/{id}/resend", null, Ct);
        Assert.Equal(HttpStatusCode.Accepted, adminResend.StatusCode);
    }

    [Fact]
    public async Task Resend_FailedDelivery_IsPostedAgainWithTheSameIdAndBody()
    {
        await using var receiver = new LoopbackReceiver();
        var id = await AddAsync(1, _aliceId, "job_a", "job.completed", url: receiver.Url);
        await FailOnceAsync(id, 410, "gone");

        using var response = await _alice.PostAsync($"/v1/webhooks/deliveries/{id}/resend", null, Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var view = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
        Assert.Equal("pending", view.GetProperty("status").GetString());
        Assert.Equal(Now, view.GetProperty("next_try_at").GetDateTimeOffset());
        var received = await receiver.NextAsync();
        Assert.Equal(id, received.Headers["webhook-id"]);
        Assert.Equal((await Store.GetAsync(id, Ct))!.Body, received.Body);
        var secrets = _factory.Services.GetRequiredService<WebhookSecrets>();
        var keySecret = await secrets.CurrentKeySecretAsync(_aliceId, Ct);
        Assert.True(StandardWebhook.Verify(keySecret, id, received.Headers["webhook-timestamp"], received.Headers["webhook-signature"], received.Body, Now, TimeSpan.FromMinutes(5)));
    }

    private async Task<string> AddAsync(int n, string? owner, string subject, string eventType, WebhookDeliveryStatus status = WebhookDeliveryStatus.Pending, Uri? url = null)
    {
        var id = WebhookOutbox.NewId(Now.AddSeconds(n));
        await Store.AddAsync(
            new WebhookDelivery
            {
                Id = id,
                OwnerKeyId = owner,
                // 10.0.0.1 is not allow-listed: a delivery re-sent there is refused by the guard before any connection.
                Url = (url ?? new Uri("http://10.0.0.1/hooks")).AbsoluteUri,
                EventType = eventType,
                SubjectId = subject,
                Body = WebhookOutbox.Envelope(eventType, Now, JsonDocument.Parse($"{{\"n\":{n}}}").RootElement),
                SecretRef = owner is null ? WebhookSecrets.AlertsReference : WebhookSecrets.KeyReference(owner),
                Status = status,
                NextTryAt = status == WebhookDeliveryStatus.Pending ? Now.AddHours(1) : null,
                CreatedAt = Now.AddSeconds(n),
            },
            Ct);
        return id;
    }

    // Claims the delivery as a node would an hour from now and records one refused try.
    private async Task FailOnceAsync(string id, int status, string error)
    {
        Assert.Contains(await Store.ClaimDueAsync(Now.AddHours(1), Now.AddHours(2), "test-lease", 100, Ct), d => d.Id == id);
        Assert.True(await Store.CompleteTryAsync(id, "test-lease", new WebhookTry { StartedAt = Now, HttpStatus = status, Error = error, Result = WebhookTryResult.Failed }, null, Ct));
    }

    private async Task<(HttpClient Client, string Id)> AddKeyAsync(IKeyStore keys, string name)
    {
        var (key, record) = ApiKeys.Create(name, isAdmin: false, Now);
        await keys.AddAsync(record, Ct);
        return (_factory.CreateClientWithKey(key), record.Id);
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string[]> IdsAsync(HttpClient client, string path, HttpClient? admin = null) =>
        [.. (await GetJsonAsync(admin ?? client, path)).GetProperty("data").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
}
