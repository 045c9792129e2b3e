using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Switchyard.Configuration;
using Switchyard.Outbound;
using Switchyard.Telemetry;

namespace Switchyard.Webhooks;

/// <summary>
/// Posts due deliveries: claims them under a lease, signs each try afresh (<c>webhook-id</c> is the
/// delivery id on every try, <c>webhook-timestamp</c> and <c>webhook-signature</c> are new), posts it
/// through the <see cref="OutboundClient"/> (so the SSRF guard applies to every try) and records the
/// try. A 2xx delivers; a 4xx other than 408, 409, 425 and 429 means the receiver refuses the message
/// and it fails at once, as does a URL the guard refuses; anything else is retried on
/// <see cref="WebhookRetrySchedule"/> until <c>webhooks.max_tries</c>, then fails with the last error.
/// </summary>
public sealed partial class WebhookDispatcher
{
    private readonly IWebhookDeliveryStore _store;
    private readonly WebhookSecrets _secrets;
    private readonly OutboundClient _client;
    private readonly WebhooksConfig _options;
    private readonly TimeProvider _time;
    private readonly SwitchyardTelemetry? _telemetry;
    private readonly ILogger<WebhookDispatcher> _logger;
    private readonly Random _random;
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="store">Where deliveries are kept.</param>
    /// <param name="secrets">Resolves deliveries' secrets at each try.</param>
    /// <param name="client">The SSRF-guarded client; its own timeout should exceed <see cref="WebhooksConfig.Timeout"/>, which is measured on <paramref name="time"/>.</param>
    /// <param name="options">Timeout, tries, polling and concurrency.</param>
    /// <param name="time">The clock of timestamps, the schedule, the per-try timeout and the polling.</param>
    /// <param name="telemetry">Where tries are counted, when metrics are on.</param>
    /// <param name="logger">The log.</param>
    /// <param name="random">The source of the schedule's jitter (a shared one when null).</param>
    public WebhookDispatcher(
        IWebhookDeliveryStore store,
        WebhookSecrets secrets,
        OutboundClient client,
        WebhooksConfig options,
        TimeProvider time,
        SwitchyardTelemetry? telemetry,
        ILogger<WebhookDispatcher> logger,
        Random? random = null)
    {
        _store = store;
        _secrets = secrets;
        _client = client;
        _options = options;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _random = random ?? Random.Shared;
    }

    /// <summary>How long a claim holds a delivery: long enough for a try and its recording; a node that dies leaves it due again after this.</summary>
    public TimeSpan Lease => (_options.Timeout * 2) + TimeSpan.FromSeconds(30);

    /// <summary>Wakes the loop of <see cref="RunAsync"/> to look for due deliveries now (a delivery was just enqueued).</summary>
    public void Notify() => Volatile.Read(ref _wake).TrySetResult();

    /// <summary>
    /// Queues a delivery again with the same id (<c>webhook-id</c>) and body, as <see cref="IWebhookDeliveryStore.ResendAsync"/> does,
    /// and wakes the loop so it is tried at once; null when there is no such delivery. The API's re-send and the dashboard's both come here.
    /// </summary>
    public async ValueTask<WebhookDelivery?> ResendAsync(string id, CancellationToken cancellationToken)
    {
        var resent = await _store.ResendAsync(id, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        if (resent is not null)
        {
            Notify();
        }

        return resent;
    }

    /// <summary>Claims up to <c>webhooks.concurrency</c> due deliveries, tries them at once and records each try; returns how many were claimed.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var token = Guid.NewGuid().ToString("N");
        var claimed = await _store.ClaimDueAsync(now, now + Lease, token, _options.Concurrency, cancellationToken).ConfigureAwait(false);
        if (claimed.Count > 0)
        {
            await Task.WhenAll(claimed.Select(delivery => TryAsync(delivery, token, cancellationToken))).ConfigureAwait(false);
        }

        return claimed.Count;
    }

    /// <summary>Dispatches until <paramref name="stoppingToken"/> is cancelled: at once while deliveries are due, otherwise every <c>webhooks.poll_interval</c> or when notified.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _wake);
            if (wake.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), wake);
            }

            int claimed;
            try
            {
                claimed = await DispatchDueAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not end the loop: the deliveries are still stored and are tried on the next round.
                Log.DispatchFailed(_logger, ex.GetType().Name, ex.Message);
                claimed = 0;
            }

            if (claimed >= _options.Concurrency)
            {
                continue;
            }

            var next = Volatile.Read(ref _wake);
            if (next.Task.IsCompleted)
            {
                continue;
            }

            using var stopDelay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            await Task.WhenAny(next.Task, Task.Delay(_options.PollInterval, _time, stopDelay.Token)).ConfigureAwait(false);
            await stopDelay.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task TryAsync(WebhookDelivery delivery, string leaseToken, CancellationToken cancellationToken)
    {
        var startedAt = _time.GetUtcNow();
        var started = _time.GetTimestamp();
        var (result, httpStatus, error) = await PostAsync(delivery, startedAt, cancellationToken).ConfigureAwait(false);
        var round = delivery.RoundTries + 1;
        DateTimeOffset? nextTryAt = null;
        if (result == WebhookTryResult.Retry)
        {
            if (round >= _options.MaxTries)
            {
                result = WebhookTryResult.Failed;
                error = $"{error} (gave up after {round} tries)";
            }
            else
            {
                nextTryAt = _time.GetUtcNow() + WebhookRetrySchedule.Delay(round, _random.NextDouble());
            }
        }

        var attempt = new WebhookTry
        {
            StartedAt = startedAt,
            DurationMs = _time.GetElapsedTime(started).TotalMilliseconds,
            HttpStatus = httpStatus,
            Error = error,
            Result = result,
        };
        if (!await _store.CompleteTryAsync(delivery.Id, leaseToken, attempt, nextTryAt, cancellationToken).ConfigureAwait(false))
        {
            Log.LeaseLost(_logger, delivery.Id);
            return;
        }

        _telemetry?.WebhookTried(result.ToWire(), delivery.EventType);
        var host = Uri.TryCreate(delivery.Url, UriKind.Absolute, out var parsed) ? parsed.Host : "?";
        switch (result)
        {
            case WebhookTryResult.Delivered:
                Log.Delivered(_logger, delivery.Id, delivery.EventType, host, httpStatus ?? 0, round);
                break;
            case WebhookTryResult.Retry:
                Log.WillRetry(_logger, delivery.Id, delivery.EventType, host, round, error ?? "", nextTryAt!.Value);
                break;
            default:
                Log.Failed(_logger, delivery.Id, delivery.EventType, host, round, error ?? "");
                break;
        }
    }

    // One POST; expected failures come back as values, with a reason that never holds a secret.
    private async Task<(WebhookTryResult Result, int? HttpStatus, string? Error)> PostAsync(WebhookDelivery delivery, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(delivery.Url, UriKind.Absolute, out var url))
        {
            return (WebhookTryResult.Failed, null, "the URL is not an absolute URL");
        }

        var signing = await _secrets.ResolveAsync(delivery, cancellationToken).ConfigureAwait(false);
        if (signing.Problem is { } problem)
        {
            return (signing.Retryable ? WebhookTryResult.Retry : WebhookTryResult.Failed, null, problem);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(delivery.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(StandardWebhook.IdHeader, delivery.Id);
        request.Headers.TryAddWithoutValidation(StandardWebhook.TimestampHeader, now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(
            StandardWebhook.SignatureHeader,
            string.Join(' ', signing.Secrets.Select(secret => StandardWebhook.Sign(secret, delivery.Id, now, delivery.Body))));

        using var timeout = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            using var response = await _client.SendAsync(request, linked.Token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status is >= 200 and < 300)
            {
                return (WebhookTryResult.Delivered, status, null);
            }

            // The receiver refuses this message: another try would get the same answer.
            if (status is >= 400 and < 500 and not 408 and not 409 and not 425 and not 429)
            {
                return (WebhookTryResult.Failed, status, $"{url.Host} answered HTTP {status}; a 4xx other than 408, 409, 425 or 429 is not retried");
            }

            return (WebhookTryResult.Retry, status, $"{url.Host} answered HTTP {status}");
        }
        catch (OutboundException ex) when (ex.IsRefused)
        {
            return (WebhookTryResult.Failed, null, $"not posted: {ex.Message}");
        }
        catch (OutboundException ex)
        {
            return (WebhookTryResult.Retry, null, ex.Message);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (WebhookTryResult.Retry, null, $"{url.Host} did not answer within {Duration.Format(_options.Timeout)}");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 800, EventName = "WebhookDelivered", Level = LogLevel.Information, Message = "Webhook {DeliveryId} ({EventType}) delivered to {Host} with HTTP {Status} on try {Try}")]
        public static partial void Delivered(ILogger logger, string deliveryId, string eventType, string host, int status, int @try);

        [LoggerMessage(EventId = 801, EventName = "WebhookRetry", Level = LogLevel.Warning, Message = "Webhook {DeliveryId} ({EventType}) to {Host} failed on try {Try}: {Reason}; next try at {NextTryAt:o}")]
        public static partial void WillRetry(ILogger logger, string deliveryId, string eventType, string host, int @try, string reason, DateTimeOffset nextTryAt);

        [LoggerMessage(EventId = 802, EventName = "WebhookFailed", Level = LogLevel.Error, Message = "Webhook {DeliveryId} ({EventType}) to {Host} failed for good on try {Try}: {Reason}")]
        public static partial void Failed(ILogger logger, string deliveryId, string eventType, string host, int @try, string reason);

        [LoggerMessage(EventId = 803, EventName = "WebhookLeaseLost", Level = LogLevel.Warning, Message = "Webhook {DeliveryId}: its lease ran out (or it was re-sent) before the try was recorded; the try is not counted")]
        public static partial void LeaseLost(ILogger logger, string deliveryId);

        [LoggerMessage(EventId = 804, EventName = "WebhookDispatchFailed", Level = LogLevel.Error, Message = "Could not claim due webhooks ({ErrorType}: {Reason}); trying again on the next round")]
        public static partial void DispatchFailed(ILogger logger, string errorType, string reason);
    }
}
