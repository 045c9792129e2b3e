using System.Net.Http.Headers;
using System.Globalization;
using Switchyard.Configuration;
using Switchyard.Outbound;
using Switchyard.Webhooks;

namespace Switchyard.Alerts;

/// <summary>
/// Posts alert transitions to <c>alerts.webhook.url</c> through the <see cref="OutboundClient"/>
/// (so the SSRF guard applies), signed in the Standard Webhooks scheme. A failed delivery is
/// retried with the same <c>webhook-id</c> and a fresh timestamp and signature, after a backoff
/// measured on the injected clock.
/// </summary>
public sealed class AlertWebhookSender
{
    /// <summary>Tries per transition, counting the first.</summary>
    public const int MaxTries = 4;

    private readonly AlertWebhookConfig _webhook;
    private readonly OutboundClient _client;
    private readonly TimeProvider _time;

    /// <summary>Creates a sender to <paramref name="webhook"/>.</summary>
    public AlertWebhookSender(AlertWebhookConfig webhook, OutboundClient client, TimeProvider time)
    {
        _webhook = webhook;
        _client = client;
        _time = time;
    }

    /// <summary>The first backoff; it doubles after each failed try.</summary>
    public static TimeSpan BaseDelay { get; } = TimeSpan.FromSeconds(1);

    /// <summary>Delivers one transition; returns null on success, otherwise why the last try failed.</summary>
    public async Task<string?> SendAsync(AlertTransition transition, CancellationToken cancellationToken)
    {
        var id = "msg_" + Guid.CreateVersion7(_time.GetUtcNow()).ToString("N");
        var secret = _webhook.Secret.Reveal() ?? throw new InvalidOperationException("The webhook secret is missing.");
        string? failure = null;
        for (var attempt = 1; attempt <= MaxTries; attempt++)
        {
            if (attempt > 1)
            {
                await Task.Delay(BaseDelay * Math.Pow(2, attempt - 2), _time, cancellationToken).ConfigureAwait(false);
            }

            var now = _time.GetUtcNow();
            var body = AlertWire.WebhookBody(transition, now);
            using var request = new HttpRequestMessage(HttpMethod.Post, _webhook.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.TryAddWithoutValidation(StandardWebhook.IdHeader, id);
            request.Headers.TryAddWithoutValidation(StandardWebhook.TimestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            request.Headers.TryAddWithoutValidation(StandardWebhook.SignatureHeader, StandardWebhook.Sign(secret, id, now, body));
            try
            {
                using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return null;
                }

                failure = $"{_webhook.Url.Host} answered HTTP {(int)response.StatusCode}";
                // A 4xx other than 408/429 means the receiver refuses this message: another try would not help.
                if ((int)response.StatusCode is >= 400 and < 500 and not 408 and not 429)
                {
                    return failure;
                }
            }
            catch (OutboundException ex)
            {
                failure = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = $"{_webhook.Url.Host} did not answer in time ({ex.Message})";
            }
        }

        return failure;
    }
}
