using System.Diagnostics.Metrics;
using System.Text;
using System.Text.Json;
using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Webhooks;

namespace Switchyard.Tests.Webhooks;

/// <summary>The outbox and dispatcher end to end: a real SQLite file, the real SSRF-guarded client, a receiver on 127.0.0.1, a fake clock.</summary>
public sealed class WebhookDispatcherTests
{
    private const string JobSecret = "whsec_dGhpcyBpcyB0aGUgam9iJ3Mgb3duIHNlY3JldCEh";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static TimeSpan Tolerance => TimeSpan.FromMinutes(5);

    private static WebhookMessage Message(Uri url, string? owner = "key_owner", string? secret = null) => new()
    {
        OwnerKeyId = owner,
        Url = url,
        Secret = secret,
        EventType = "job.completed",
        SubjectId = "job_1",
        Data = JsonDocument.Parse("""{"id":"job_1","status":"completed"}""").RootElement,
    };

    [Fact]
    public async Task DispatchDueAsync_ReceiverAccepts_PostsTheEnvelopeSignedWithTheKeySecretAndRecordsIt()
    {
        await using var receiver = new LoopbackReceiver();
        await using var h = await WebhookHarness.StartAsync();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);

        Assert.Equal(1, await h.Dispatcher.DispatchDueAsync(Ct));

        var received = await receiver.NextAsync();
        var keySecret = await h.Secrets.CurrentKeySecretAsync("key_owner", Ct);
        Assert.Equal(id, received.Headers["webhook-id"]);
        Assert.Matches("^msg_[0-9a-f]{32}$", id);
        Assert.Equal(h.Time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), received.Headers["webhook-timestamp"]);
        Assert.Equal("application/json", received.Headers["content-type"]);
        Assert.True(StandardWebhook.Verify(keySecret, id, received.Headers["webhook-timestamp"], received.Headers["webhook-signature"], received.Body, h.Time.GetUtcNow(), Tolerance));
        Assert.False(StandardWebhook.Verify(StandardWebhook.NewSecret(), id, received.Headers["webhook-timestamp"], received.Headers["webhook-signature"], received.Body, h.Time.GetUtcNow(), Tolerance));
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal("job.completed", body.RootElement.GetProperty("type").GetString());
        Assert.Equal(h.Time.GetUtcNow(), body.RootElement.GetProperty("timestamp").GetDateTimeOffset());
        Assert.Equal("completed", body.RootElement.GetProperty("data").GetProperty("status").GetString());

        var stored = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal(received.Body, stored.Body);
        Assert.Equal((WebhookDeliveryStatus.Delivered, 1, (int?)200, (string?)null, (DateTimeOffset?)h.Time.GetUtcNow()),
            (stored.Status, stored.Tries, stored.LastHttpStatus, stored.LastError, stored.DeliveredAt));
        var attempt = Assert.Single(await h.Store.GetTriesAsync(id, Ct));
        Assert.Equal((WebhookTryResult.Delivered, (int?)200), (attempt.Result, attempt.HttpStatus));
        Assert.Equal(0, await h.Dispatcher.DispatchDueAsync(Ct));
    }

    [Fact]
    public async Task EnqueueAsync_SameChosenIdTwice_StoredAndPostedOnce()
    {
        await using var receiver = new LoopbackReceiver(200, 200);
        await using var h = await WebhookHarness.StartAsync();
        var chosen = WebhookOutbox.StableId(h.Time.GetUtcNow(), "job_1\n\njob.completed");
        Assert.Equal(chosen, WebhookOutbox.StableId(h.Time.GetUtcNow(), "job_1\n\njob.completed"));
        Assert.NotEqual(chosen, WebhookOutbox.StableId(h.Time.GetUtcNow(), "job_2\n\njob.completed"));

        var first = await h.Outbox.EnqueueAsync(Message(receiver.Url) with { DeliveryId = chosen }, Ct);
        var again = await h.Outbox.EnqueueAsync(Message(receiver.Url) with { DeliveryId = chosen }, Ct);

        Assert.Equal((chosen, chosen), (first, again));
        Assert.Single(await h.Store.ListAsync(new WebhookDeliveryQuery(), Ct));
        Assert.Equal(1, await h.Dispatcher.DispatchDueAsync(Ct));
        Assert.Equal(chosen, (await receiver.NextAsync()).Headers["webhook-id"]);
        Assert.Equal(0, await h.Dispatcher.DispatchDueAsync(Ct));
        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task DispatchDueAsync_ReceiverKeepsFailing_RetriesOnTheScheduleWithTheSameIdAndBodyThenFails()
    {
        await using var receiver = new LoopbackReceiver([.. Enumerable.Repeat(500, 8)]);
        await using var h = await WebhookHarness.StartAsync();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        var keySecret = await h.Secrets.CurrentKeySecretAsync("key_owner", Ct);
        var received = new List<LoopbackReceiver.Received>();

        for (var tryNumber = 1; tryNumber <= 8; tryNumber++)
        {
            Assert.Equal(1, await h.Dispatcher.DispatchDueAsync(Ct));
            var request = await receiver.NextAsync();
            Assert.True(StandardWebhook.Verify(keySecret, id, request.Headers["webhook-timestamp"], request.Headers["webhook-signature"], request.Body, h.Time.GetUtcNow(), Tolerance));
            received.Add(request);
            var delivery = (await h.Store.GetAsync(id, Ct))!;
            if (tryNumber == 8)
            {
                break;
            }

            // Standard Webhooks' schedule: 5s, 5m, 30m, 2h, 5h, 10h, 10h after the failed tries (jitter held at its middle here).
            var wait = WebhookRetrySchedule.Delays[tryNumber - 1];
            Assert.Equal((WebhookDeliveryStatus.Pending, tryNumber, (DateTimeOffset?)(h.Time.GetUtcNow() + wait)), (delivery.Status, delivery.Tries, delivery.NextTryAt));
            h.Time.Advance(wait - TimeSpan.FromMilliseconds(1));
            Assert.Equal(0, await h.Dispatcher.DispatchDueAsync(Ct));
            h.Time.Advance(TimeSpan.FromMilliseconds(1));
        }

        var failed = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, 8, (DateTimeOffset?)null, (int?)500), (failed.Status, failed.Tries, failed.NextTryAt, failed.LastHttpStatus));
        Assert.Equal($"127.0.0.1 answered HTTP 500 (gave up after 8 tries)", failed.LastError);
        Assert.Single(received.Select(r => r.Headers["webhook-id"]).Distinct());
        Assert.All(received, r => Assert.Equal(received[0].Body, r.Body));
        Assert.Equal(8, received.Select(r => r.Headers["webhook-timestamp"]).Distinct().Count());
        var tries = await h.Store.GetTriesAsync(id, Ct);
        Assert.Equal([.. Enumerable.Repeat(WebhookTryResult.Retry, 7), WebhookTryResult.Failed], tries.Select(t => t.Result));
        h.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal(0, await h.Dispatcher.DispatchDueAsync(Ct));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    [InlineData(410)]
    [InlineData(422)]
    public async Task DispatchDueAsync_ReceiverRefuses_FailsAtOnceWithTheStatus(int status)
    {
        await using var receiver = new LoopbackReceiver(status);
        await using var h = await WebhookHarness.StartAsync();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);

        await h.Dispatcher.DispatchDueAsync(Ct);

        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, 1, (int?)status), (delivery.Status, delivery.Tries, delivery.LastHttpStatus));
        Assert.Contains($"HTTP {status}", delivery.LastError, StringComparison.Ordinal);
        Assert.Contains("not retried", delivery.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(408)]
    [InlineData(409)]
    [InlineData(425)]
    [InlineData(429)]
    [InlineData(503)]
    [InlineData(302)]
    public async Task DispatchDueAsync_RetryableAnswer_StaysPendingForTheNextTry(int status)
    {
        await using var receiver = new LoopbackReceiver(status);
        await using var h = await WebhookHarness.StartAsync();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);

        await h.Dispatcher.DispatchDueAsync(Ct);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Dispatcher.DispatchDueAsync(Ct);

        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Delivered, 2, (int?)200), (delivery.Status, delivery.Tries, delivery.LastHttpStatus));
        Assert.Equal([(int?)status, 200], (await h.Store.GetTriesAsync(id, Ct)).Select(t => t.HttpStatus));
    }

    [Fact]
    public async Task DispatchDueAsync_ReceiverNeverAnswers_TimesOutOnTheClockAndRetries()
    {
        await using var receiver = new LoopbackReceiver(0);
        await using var h = await WebhookHarness.StartAsync(new WebhooksConfig { Timeout = TimeSpan.FromSeconds(10) });
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);

        var dispatching = h.Dispatcher.DispatchDueAsync(Ct);
        await receiver.NextAsync();
        await h.Time.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(10));
        h.Time.Advance(TimeSpan.FromSeconds(10));
        await dispatching;

        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Equal("127.0.0.1 did not answer within 10s", delivery.LastError);
        Assert.Equal(h.Time.GetUtcNow() + TimeSpan.FromSeconds(5), delivery.NextTryAt);
    }

    [Fact]
    public async Task Resend_FailedDelivery_PostsTheSameIdAndBodyWithANewTimestampAndSignature()
    {
        await using var receiver = new LoopbackReceiver(410);
        await using var h = await WebhookHarness.StartAsync();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url, secret: JobSecret), Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);
        var first = await receiver.NextAsync();
        Assert.Equal(WebhookDeliveryStatus.Failed, (await h.Store.GetAsync(id, Ct))!.Status);

        h.Time.Advance(TimeSpan.FromHours(1));
        var resent = await h.Store.ResendAsync(id, h.Time.GetUtcNow(), Ct);
        Assert.Equal(1, await h.Dispatcher.DispatchDueAsync(Ct));
        var second = await receiver.NextAsync();

        Assert.Equal(WebhookDeliveryStatus.Pending, resent!.Status);
        Assert.Equal(first.Headers["webhook-id"], second.Headers["webhook-id"]);
        Assert.Equal(first.Body, second.Body);
        Assert.NotEqual(first.Headers["webhook-timestamp"], second.Headers["webhook-timestamp"]);
        Assert.NotEqual(first.Headers["webhook-signature"], second.Headers["webhook-signature"]);
        Assert.True(StandardWebhook.Verify(JobSecret, id, second.Headers["webhook-timestamp"], second.Headers["webhook-signature"], second.Body, h.Time.GetUtcNow(), Tolerance));
        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Delivered, 2, 1), (delivery.Status, delivery.Tries, delivery.RoundTries));
    }

    [Fact]
    public async Task RestartAsync_PendingRetry_ANewDispatcherOverTheSameFileDeliversItWithTheEncryptedSecret()
    {
        await using var receiver = new LoopbackReceiver(503);
        await using var h = await WebhookHarness.StartAsync();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url, secret: JobSecret), Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);
        var first = await receiver.NextAsync();

        await h.RestartAsync();
        h.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, await h.Dispatcher.DispatchDueAsync(Ct));
        var second = await receiver.NextAsync();

        Assert.Equal((503, 200), (first.AnsweredWith, second.AnsweredWith));
        Assert.Equal(id, second.Headers["webhook-id"]);
        Assert.Equal(first.Body, second.Body);
        Assert.True(StandardWebhook.Verify(JobSecret, id, second.Headers["webhook-timestamp"], second.Headers["webhook-signature"], second.Body, h.Time.GetUtcNow(), Tolerance));
        Assert.Equal(WebhookDeliveryStatus.Delivered, (await h.Store.GetAsync(id, Ct))!.Status);
    }

    [Fact]
    public async Task DispatchDueAsync_PrivateAddressNotAllowListed_FailsWithTheGuardsReasonAndPostsNothing()
    {
        await using var receiver = new LoopbackReceiver();
        await using var h = await WebhookHarness.StartAsync(allowPrivate: []);
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);

        await h.Dispatcher.DispatchDueAsync(Ct);

        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, 1, (int?)null), (delivery.Status, delivery.Tries, delivery.LastHttpStatus));
        Assert.StartsWith("not posted: refused to connect to 127.0.0.1: 127.0.0.1 is in 127.0.0.0/8", delivery.LastError, StringComparison.Ordinal);
        Assert.Contains("outbound.allow_private", delivery.LastError, StringComparison.Ordinal);
        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task DispatchDueAsync_RotationOverlap_CarriesBothSignaturesEachVerifiableThenOnlyTheNew()
    {
        await using var receiver = new LoopbackReceiver();
        await using var h = await WebhookHarness.StartAsync();
        var oldSecret = await h.Secrets.CurrentKeySecretAsync("key_owner", Ct);
        var newSecret = await h.Secrets.RotateKeySecretAsync("key_owner", TimeSpan.FromHours(24), Ct);
        Assert.NotEqual(oldSecret, newSecret);

        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);
        var during = await receiver.NextAsync();

        var signatures = during.Headers["webhook-signature"].Split(' ');
        Assert.Equal(2, signatures.Length);
        Assert.All(signatures, s => Assert.StartsWith("v1,", s, StringComparison.Ordinal));
        Assert.True(StandardWebhook.Verify(newSecret, id, during.Headers["webhook-timestamp"], signatures[0], during.Body, h.Time.GetUtcNow(), Tolerance));
        Assert.True(StandardWebhook.Verify(oldSecret, id, during.Headers["webhook-timestamp"], signatures[1], during.Body, h.Time.GetUtcNow(), Tolerance));

        h.Time.Advance(TimeSpan.FromHours(24));
        var afterId = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);
        var after = await receiver.NextAsync();
        Assert.DoesNotContain(" ", after.Headers["webhook-signature"], StringComparison.Ordinal);
        Assert.True(StandardWebhook.Verify(newSecret, afterId, after.Headers["webhook-timestamp"], after.Headers["webhook-signature"], after.Body, h.Time.GetUtcNow(), Tolerance));
        Assert.False(StandardWebhook.Verify(oldSecret, afterId, after.Headers["webhook-timestamp"], after.Headers["webhook-signature"], after.Body, h.Time.GetUtcNow(), Tolerance));
    }

    [Fact]
    public async Task Secrets_ExplicitAndKeySecrets_NeverInTheDatabaseFilesOrTheLogs()
    {
        await using var receiver = new LoopbackReceiver(503);
        await using var h = await WebhookHarness.StartAsync();
        var explicitId = await h.Outbox.EnqueueAsync(Message(receiver.Url, secret: JobSecret), Ct);
        await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        await h.Outbox.EnqueueAsync(Message(receiver.Url, owner: null) with { SecretReference = WebhookSecrets.AlertsReference }, Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Dispatcher.DispatchDueAsync(Ct);
        var keySecret = await h.Secrets.CurrentKeySecretAsync("key_owner", Ct);
        Assert.StartsWith("enc:v1:", (await h.Store.GetAsync(explicitId, Ct))!.SecretRef, StringComparison.Ordinal);
        await h.RestartAsync();

        var files = Directory.GetFiles(h.Folder, "switchyard.db*");
        Assert.NotEmpty(files);
        var stored = string.Concat(files.Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        var logs = string.Join('\n', h.Logs.Messages);
        Assert.NotEmpty(h.Logs.Messages);
        foreach (var secret in new[] { JobSecret, keySecret, WebhookHarness.AlertSecret })
        {
            var keyPart = secret["whsec_".Length..];
            Assert.DoesNotContain(keyPart, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(keyPart, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(Convert.ToHexString(Convert.FromBase64String(keyPart)), stored, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task AlertWebhookSender_Transition_IsDeliveredSignedWithTheConfigSecretAndOwnedByNoKey()
    {
        await using var receiver = new LoopbackReceiver();
        await using var h = await WebhookHarness.StartAsync();
        var sender = new AlertWebhookSender(new AlertWebhookConfig { Url = receiver.Url, Secret = new Secret("ALERT_SECRET", WebhookHarness.AlertSecret) }, h.Outbox);
        var rule = new AlertRuleConfig { Name = "image-down", Kind = AlertKind.SuccessRate, Severity = AlertSeverity.Critical, Route = "image", Below = 0.8, Window = TimeSpan.FromMinutes(15) };

        var id = await sender.SendAsync(new AlertTransition { Rule = rule, From = AlertState.Ok, To = AlertState.Firing, At = h.Time.GetUtcNow(), Value = 0.25 }, Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);

        var received = await receiver.NextAsync();
        Assert.True(StandardWebhook.Verify(WebhookHarness.AlertSecret, id, received.Headers["webhook-timestamp"], received.Headers["webhook-signature"], received.Body, h.Time.GetUtcNow(), Tolerance));
        using var body = JsonDocument.Parse(received.Body);
        Assert.Equal("alert.firing", body.RootElement.GetProperty("type").GetString());
        Assert.Equal("image-down", body.RootElement.GetProperty("data").GetProperty("rule").GetString());
        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal((null, "image-down", WebhookSecrets.AlertsReference, WebhookDeliveryStatus.Delivered), (delivery.OwnerKeyId, delivery.SubjectId, delivery.SecretRef, delivery.Status));
    }

    [Fact]
    public async Task DispatchDueAsync_ConfigSecretMissing_RetriesWithAClearErrorAndPostsNothing()
    {
        await using var receiver = new LoopbackReceiver();
        await using var h = await WebhookHarness.StartAsync();
        h.ConfigSecrets.Clear();
        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url, owner: null) with { SecretReference = WebhookSecrets.AlertsReference }, Ct);

        await h.Dispatcher.DispatchDueAsync(Ct);

        var delivery = (await h.Store.GetAsync(id, Ct))!;
        Assert.Equal(WebhookDeliveryStatus.Pending, delivery.Status);
        Assert.Contains("alerts webhook secret is not set", delivery.LastError, StringComparison.Ordinal);
        Assert.False(receiver.TryNext(out _));
    }

    [Fact]
    public async Task RunAsync_Enqueued_IsPostedAtOnceAndItsRetryWhenThePollFindsItDue()
    {
        await using var receiver = new LoopbackReceiver(503);
        await using var h = await WebhookHarness.StartAsync(new WebhooksConfig { PollInterval = TimeSpan.FromSeconds(1) });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var running = h.Dispatcher.RunAsync(stop.Token);
        await h.Time.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(1));

        var id = await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        var first = await receiver.NextAsync();
        for (var second = 0; second < 5; second++)
        {
            await h.Time.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(1));
            h.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var retried = await receiver.NextAsync();

        // The loop waits for its next poll only once the try is recorded.
        await h.Time.WaitForTimerAsync(due => due == TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await running;

        Assert.Equal((503, 200), (first.AnsweredWith, retried.AnsweredWith));
        Assert.Equal(id, retried.Headers["webhook-id"]);
        Assert.Equal(WebhookDeliveryStatus.Delivered, (await h.Store.GetAsync(id, Ct))!.Status);
    }

    [Fact]
    public async Task DispatchDueAsync_EachTry_CountedByResult()
    {
        await using var receiver = new LoopbackReceiver(503, 200, 410);
        await using var h = await WebhookHarness.StartAsync();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == h.Telemetry.Meter && instrument.Name == "switchyard.webhook.deliveries")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "result")
                {
                    lock (counts)
                    {
                        counts[(string)tag.Value!] = counts.GetValueOrDefault((string)tag.Value!) + value;
                    }
                }
            }
        });
        listener.Start();

        await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);
        h.Time.Advance(TimeSpan.FromSeconds(5));
        await h.Dispatcher.DispatchDueAsync(Ct);
        await h.Outbox.EnqueueAsync(Message(receiver.Url), Ct);
        await h.Dispatcher.DispatchDueAsync(Ct);

        Assert.Equal(new Dictionary<string, long> { ["retry"] = 1, ["delivered"] = 1, ["failed"] = 1 }, counts);
    }

    [Fact]
    public void Delay_Jitter_StaysWithinTenPercentOfTheSchedule()
    {
        Assert.Equal(TimeSpan.FromSeconds(4.5), WebhookRetrySchedule.Delay(1, 0));
        Assert.Equal(TimeSpan.FromSeconds(5.5), WebhookRetrySchedule.Delay(1, 1));
        Assert.Equal(TimeSpan.FromHours(10), WebhookRetrySchedule.Delay(7, 0.5));
        Assert.Equal(TimeSpan.FromHours(10), WebhookRetrySchedule.Delay(12, 0.5));
        var random = new Random(7);
        for (var i = 0; i < 1000; i++)
        {
            var delay = WebhookRetrySchedule.Delay(2, random.NextDouble());
            Assert.InRange(delay, TimeSpan.FromMinutes(4.5), TimeSpan.FromMinutes(5.5));
        }
    }

    [Fact]
    public async Task EnqueueAsync_BadSecretOrNothingToSignWith_IsRefused()
    {
        await using var h = await WebhookHarness.StartAsync();
        var url = new Uri("https://hooks.example.com/x");

        await Assert.ThrowsAsync<ArgumentException>(async () => await h.Outbox.EnqueueAsync(Message(url, secret: "not-a-secret"), Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await h.Outbox.EnqueueAsync(Message(url, owner: null), Ct));
        await Assert.ThrowsAsync<ArgumentException>(async () => await h.Outbox.EnqueueAsync(Message(url, secret: JobSecret) with { SecretReference = "config:alerts" }, Ct));
        Assert.Empty(await h.Store.ListAsync(new WebhookDeliveryQuery(), Ct));
    }
}
