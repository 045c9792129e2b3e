using System.Text.Json;
using Microsoft.Extensions.Logging;
using Switchyard.Alerts;
using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Tests.Common.Logging;
using Switchyard.Generation;
using Switchyard.Webhooks;

namespace Switchyard.Core.Tests.Alerts;

/// <summary>
/// Alert transitions go through the webhook outbox (delivery, signing, retries and the SSRF guard are the
/// dispatcher's, tested in Switchyard.Tests/Webhooks, including an alert posted to a loopback receiver).
/// </summary>
public sealed class AlertWebhookTests
{
    private static readonly AlertRuleConfig Rule = new()
    {
        Name = "image-down",
        Kind = AlertKind.SuccessRate,
        Severity = AlertSeverity.Critical,
        Route = "image",
        Below = 0.8,
        Window = TimeSpan.FromMinutes(15),
    };

    private static readonly Uri Url = new("https://alerts.example.com/hooks");

    private static AlertWebhookConfig Webhook() => new() { Url = Url, Secret = new Secret("ALERT_SECRET", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") };

    [Fact]
    public async Task TickAsync_FiringThenResolved_EnqueuesBothForTheAlertUrlSignedWithTheConfigSecret()
    {
        var outbox = new RecordingOutbox();
        var h = new AlertHarness(20, Rule);
        var monitor = new AlertMonitor(h.Evaluator, new AlertWebhookSender(Webhook(), outbox), new ListLogger<AlertMonitor>());
        h.Runs(5, RunOutcome.Success);
        h.Runs(15, RunOutcome.Failed, error: ErrorClass.Unavailable);

        Assert.Single(await monitor.TickAsync(TestContext.Current.CancellationToken));
        h.Time.Advance(TimeSpan.FromMinutes(16));
        Assert.Single(await monitor.TickAsync(TestContext.Current.CancellationToken));

        Assert.Equal(2, outbox.Messages.Count);
        var firing = outbox.Messages[0];
        Assert.Equal(("alert.firing", "image-down", Url, (string?)null, (string?)null, WebhookSecrets.AlertsReference),
            (firing.EventType, firing.SubjectId, firing.Url, firing.OwnerKeyId, firing.Secret, firing.SecretReference));
        var data = firing.Data;
        Assert.Equal("image-down", data.GetProperty("rule").GetString());
        Assert.Equal("critical", data.GetProperty("severity").GetString());
        Assert.Equal("firing", data.GetProperty("state").GetString());
        Assert.Equal(0.25, data.GetProperty("value").GetDouble());
        Assert.Equal(0.8, data.GetProperty("threshold").GetDouble());
        Assert.Equal("15m", data.GetProperty("window").GetString());
        Assert.Equal("image", data.GetProperty("route").GetString());
        Assert.False(data.TryGetProperty("provider", out _));
        Assert.Equal(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero), data.GetProperty("since").GetDateTimeOffset());
        Assert.Equal("alert.resolved", outbox.Messages[1].EventType);
        Assert.Equal("resolved", outbox.Messages[1].Data.GetProperty("state").GetString());
    }

    [Fact]
    public async Task TickAsync_OutboxFails_LogsItAndStillReturnsTheTransition()
    {
        var logger = new ListLogger<AlertMonitor>();
        var h = new AlertHarness(20, Rule);
        var monitor = new AlertMonitor(h.Evaluator, new AlertWebhookSender(Webhook(), new RecordingOutbox { Fail = true }), logger);
        h.Runs(20, RunOutcome.Failed, error: ErrorClass.Unavailable);

        var transitions = await monitor.TickAsync(TestContext.Current.CancellationToken);

        Assert.Single(transitions);
        var entry = Assert.Single(logger.Entries, e => e.EventName == "AlertWebhookNotQueued");
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("database is locked", entry.Message, StringComparison.Ordinal);
    }

    /// <summary>An outbox that keeps what it is given (the real one needs a database; see Switchyard.Tests/Webhooks).</summary>
    private sealed class RecordingOutbox : IWebhookOutbox
    {
        public List<WebhookMessage> Messages { get; } = [];

        public bool Fail { get; init; }

        public ValueTask<string> EnqueueAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            if (Fail)
            {
                throw new InvalidOperationException("database is locked");
            }

            // The data is cloned so it outlives the caller's document, as the real outbox's copy into the body does.
            Messages.Add(message with { Data = JsonDocument.Parse(message.Data.GetRawText()).RootElement.Clone() });
            return ValueTask.FromResult($"msg_{Messages.Count}");
        }
    }
}
