using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;
using Switchyard.Outbound;
using Switchyard.Webhooks;

namespace Switchyard.Core.Tests.Alerts;

public sealed class AlertWebhookTests
{
    private const string Secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static readonly AlertRuleConfig Rule = new()
    {
        Name = "image-down",
        Kind = AlertKind.SuccessRate,
        Severity = AlertSeverity.Critical,
        Route = "image",
        Below = 0.8,
        Window = TimeSpan.FromMinutes(15),
    };

    private static OutboundClient Loopback() => new(new OutboundConfig { AllowPrivate = ["127.0.0.1/32"] }, TimeSpan.FromSeconds(10));

    private static AlertWebhookConfig Webhook(Uri url) => new() { Url = url, Secret = new Secret("ALERT_SECRET", Secret) };

    private static void AssertSigned(LoopbackReceiver.Received received, DateTimeOffset now)
    {
        Assert.StartsWith("msg_", received.Headers["webhook-id"], StringComparison.Ordinal);
        Assert.True(StandardWebhook.Verify(Secret, received.Headers["webhook-id"], received.Headers["webhook-timestamp"], received.Headers["webhook-signature"], received.Body, now, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public async Task TickAsync_FiringThenResolved_PostsBothSignedToTheLoopbackReceiver()
    {
        await using var receiver = new LoopbackReceiver();
        using var client = Loopback();
        var h = new AlertHarness(20, Rule);
        var monitor = new AlertMonitor(h.Evaluator, new AlertWebhookSender(Webhook(receiver.Url), client, h.Time), NullLogger<AlertMonitor>.Instance);
        h.Runs(5, RunOutcome.Success);
        h.Runs(15, RunOutcome.Failed, error: ErrorClass.Unavailable);

        Assert.Single(await monitor.TickAsync(TestContext.Current.CancellationToken));
        var firing = await receiver.NextAsync();
        AssertSigned(firing, h.Time.GetUtcNow());
        h.Time.Advance(TimeSpan.FromMinutes(16));
        Assert.Single(await monitor.TickAsync(TestContext.Current.CancellationToken));
        var resolved = await receiver.NextAsync();
        AssertSigned(resolved, h.Time.GetUtcNow());

        using var first = JsonDocument.Parse(firing.Body);
        Assert.Equal("alert.firing", first.RootElement.GetProperty("type").GetString());
        var data = first.RootElement.GetProperty("data");
        Assert.Equal("image-down", data.GetProperty("rule").GetString());
        Assert.Equal("critical", data.GetProperty("severity").GetString());
        Assert.Equal(0.25, data.GetProperty("value").GetDouble());
        Assert.Equal(0.8, data.GetProperty("threshold").GetDouble());
        Assert.Equal("15m", data.GetProperty("window").GetString());
        Assert.Equal("image", data.GetProperty("route").GetString());
        Assert.False(data.TryGetProperty("provider", out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero), data.GetProperty("since").GetDateTimeOffset());
        using var second = JsonDocument.Parse(resolved.Body);
        Assert.Equal("alert.resolved", second.RootElement.GetProperty("type").GetString());
        Assert.NotEqual(firing.Headers["webhook-id"], resolved.Headers["webhook-id"]);
    }

    [Fact]
    public async Task SendAsync_ReceiverFailsOnce_RetriesAfterBackoffWithTheSameIdAndAFreshSignature()
    {
        await using var receiver = new LoopbackReceiver(503);
        using var client = Loopback();
        var time = new WatchedTimeProvider();
        var sender = new AlertWebhookSender(Webhook(receiver.Url), client, time);
        var transition = new AlertTransition { Rule = Rule, From = AlertState.Ok, To = AlertState.Firing, At = time.GetUtcNow(), Value = 0.5 };

        var sending = sender.SendAsync(transition, TestContext.Current.CancellationToken);
        var first = await receiver.NextAsync();
        Assert.Equal(AlertWebhookSender.BaseDelay, await time.WaitForTimerAsync(d => d == AlertWebhookSender.BaseDelay));
        time.Advance(AlertWebhookSender.BaseDelay);
        var second = await receiver.NextAsync();

        Assert.Null(await sending);
        Assert.Equal(503, first.AnsweredWith);
        Assert.Equal(first.Headers["webhook-id"], second.Headers["webhook-id"]);
        Assert.NotEqual(first.Headers["webhook-timestamp"], second.Headers["webhook-timestamp"]);
        AssertSigned(second, time.GetUtcNow());
    }

    [Fact]
    public async Task SendAsync_ReceiverRefuses_StopsAtOnceAndSaysWhy()
    {
        await using var receiver = new LoopbackReceiver(400);
        using var client = Loopback();
        var sender = new AlertWebhookSender(Webhook(receiver.Url), client, TimeProvider.System);
        var transition = new AlertTransition { Rule = Rule, From = AlertState.Ok, To = AlertState.Firing, At = DateTimeOffset.UnixEpoch };

        var failure = await sender.SendAsync(transition, TestContext.Current.CancellationToken);

        Assert.Contains("400", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendAsync_LoopbackNotAllowListed_IsRefusedByTheOutboundGuard()
    {
        await using var receiver = new LoopbackReceiver();
        using var client = new OutboundClient(new OutboundConfig(), TimeSpan.FromSeconds(5));
        var time = new WatchedTimeProvider();
        var sender = new AlertWebhookSender(Webhook(receiver.Url), client, time);
        var transition = new AlertTransition { Rule = Rule, From = AlertState.Ok, To = AlertState.Firing, At = time.GetUtcNow() };

        var sending = sender.SendAsync(transition, TestContext.Current.CancellationToken);
        for (var retry = 0; retry < AlertWebhookSender.MaxTries - 1; retry++)
        {
            var due = await time.WaitForTimerAsync(_ => true);
            time.Advance(due);
        }

        var failure = await sending;
        Assert.NotNull(failure);
    }
}
