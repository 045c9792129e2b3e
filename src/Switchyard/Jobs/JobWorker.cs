using System.Text.Json;
using Switchyard.Configuration;
using Switchyard.Http;
using Switchyard.Telemetry;
using Switchyard.Webhooks;

namespace Switchyard.Jobs;

/// <summary>
/// Runs job items in this process: <c>jobs.workers</c> loops claim items under a lease (renewed every third of it
/// while the item runs), within the per-key and per-route limits, and record each attempt's end. A maintenance loop
/// fails items whose last lease ran out, reads the queue for the metrics and hands completion webhooks to the
/// outbox. On stop it claims nothing more, lets running items finish for <c>jobs.grace_period</c>, then cancels them
/// and gives their leases back, so another process picks them up; a crash loses nothing either (leases expire).
/// </summary>
internal sealed partial class JobWorker : BackgroundService
{
    private static readonly TimeSpan WebhookLease = TimeSpan.FromMinutes(5);

    private readonly IJobStore _store;
    private readonly JobItemExecutor _executor;
    private readonly JobsConfig _config;
    private readonly TimeProvider _time;
    private readonly SwitchyardTelemetry _telemetry;
    private readonly IWebhookOutbox? _outbox;
    private readonly JobQueueReading? _queueReading;
    private readonly WebhookSecretProtector _secrets;
    private readonly JobSignal _signal;
    private readonly ILogger<JobWorker> _logger;
    private readonly CancellationTokenSource _stopClaiming = new();
    private readonly CancellationTokenSource _hardStop = new();
    private readonly Dictionary<string, int> _busyKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _busyRoutes = new(StringComparer.Ordinal);
    private readonly HashSet<Task> _running = [];
    private readonly Lock _lock = new();
    private bool _disposed;

    public JobWorker(IJobStore store, JobItemExecutor executor, SwitchyardConfig config, TimeProvider time, SwitchyardTelemetry telemetry, IServiceProvider services, WebhookSecretProtector secrets, JobSignal signal, ILogger<JobWorker> logger)
    {
        _store = store;
        _executor = executor;
        _config = config.Jobs;
        _time = time;
        _telemetry = telemetry;
        _outbox = services.GetService<IWebhookOutbox>();
        _queueReading = services.GetService<JobQueueReading>();
        _secrets = secrets;
        _signal = signal;
        _logger = logger;
    }

    /// <summary>Raised after each lease renewal with whether the lease was still held (for logs and tests).</summary>
    public event Action<JobLease, bool>? LeaseRenewed;

    /// <summary>Items running in this process now.</summary>
    public int Running
    {
        get
        {
            lock (_lock)
            {
                return _running.Count;
            }
        }
    }

    /// <summary>
    /// Claims one item and runs it to the end of its attempt; false when nothing could be claimed.
    /// The worker loops call this; tests call it directly to step through the queue.
    /// </summary>
    public async Task<bool> ProcessNextAsync(CancellationToken cancellationToken)
    {
        var lease = await ClaimAsync(cancellationToken);
        if (lease is null)
        {
            return false;
        }

        var task = RunAsync(lease);
        lock (_lock)
        {
            _running.Add(task);
        }

        try
        {
            await task;
        }
        finally
        {
            lock (_lock)
            {
                _running.Remove(task);
            }
        }

        return true;
    }

    /// <summary>One maintenance pass: expired last attempts, the queue gauges, and the due webhooks.</summary>
    public async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var failed = await _store.FailExpiredAsync(now, _config.MaxAttempts, cancellationToken);
        if (failed > 0)
        {
            _telemetry.JobItemsFinished("failed", failed);
            Log.LeasesExhausted(_logger, failed);
        }

        var queue = await _store.GetQueueStatsAsync(now, cancellationToken);
        _telemetry.JobQueueObserved(queue);
        _queueReading?.Observe(queue);
        await DispatchWebhooksAsync(cancellationToken);
    }

    /// <summary>Hands due completion webhooks to the outbox, each once; returns how many. With no outbox they wait.</summary>
    public async Task<int> DispatchWebhooksAsync(CancellationToken cancellationToken)
    {
        if (_outbox is null)
        {
            return 0;
        }

        var sent = 0;

        // Passes until nothing is due: a job's own event becomes due once its items' events are handed over.
        IReadOnlyList<WebhookDue> batch;
        while ((batch = await _store.ClaimWebhooksAsync(_time.GetUtcNow(), WebhookLease, 100, cancellationToken)).Count > 0)
        {
            sent += await DispatchAsync(batch, cancellationToken);
        }

        return sent;
    }

    private async Task<int> DispatchAsync(IReadOnlyList<WebhookDue> batch, CancellationToken cancellationToken)
    {
        var sent = 0;
        foreach (var due in batch)
        {
            var job = await _store.GetAsync(due.JobId, cancellationToken);
            if (job?.Webhook is not { } webhook)
            {
                await _store.MarkWebhookSentAsync(due, cancellationToken);
                continue;
            }

            var items = await _store.GetItemsAsync(due.JobId, cancellationToken);
            var view = JobView.From(job, items);
            var data = due.ItemId is null
                ? JsonSerializer.SerializeToElement(view, JobsJsonContext.Wire.JobView)
                : JsonSerializer.SerializeToElement(new JobItemEventView(job.Id, view.Items.First(i => i.Id == due.ItemId)), JobsJsonContext.Wire.JobItemEventView);
            var eventType = due.ItemId is null ? "job.completed" : "job.item.completed";
            var completedAt = (due.ItemId is null ? job.CompletedAt : items.First(i => i.ItemId == due.ItemId).CompletedAt) ?? job.CreatedAt;
            var message = new WebhookMessage
            {
                // The same id for the same event: handed over again after a crash, it is still delivered once.
                DeliveryId = WebhookOutbox.StableId(completedAt, $"{job.Id}\n{due.ItemId}\n{eventType}"),
                OwnerKeyId = job.OwnerKeyId,
                Url = webhook.Url,
                Secret = webhook.ProtectedSecret is { } secret ? await _secrets.UnprotectAsync(secret, cancellationToken) : null,
                EventType = eventType,
                SubjectId = job.Id,
                Data = data,
            };

            // Enqueued, then marked: a crash in between hands the event over again once the claim runs out
            // (never dropped), and its stable delivery id keeps it to one delivery.
            await _outbox!.EnqueueAsync(message, cancellationToken);
            if (await _store.MarkWebhookSentAsync(due, cancellationToken))
            {
                sent++;
            }
        }

        return sent;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _disposed))
        {
            return;
        }

        await _stopClaiming.CancelAsync();
        Task[] running;
        lock (_lock)
        {
            running = [.. _running];
        }

        if (running.Length > 0)
        {
            Log.Draining(_logger, running.Length, _config.GracePeriod);
            var all = Task.WhenAll(running);
            var grace = Task.Delay(_config.GracePeriod, _time, cancellationToken);
            await ((Task)Task.WhenAny(all, grace)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            // Past the grace period: cancel what still runs; each gives its lease back (RunAsync).
            await _hardStop.CancelAsync();
            await all.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        await base.StopAsync(cancellationToken);
    }

    public override void Dispose()
    {
        // The container may dispose the worker before the host asks it to stop (test hosts do); stopping is then a no-op.
        Volatile.Write(ref _disposed, true);
        _stopClaiming.Dispose();
        _hardStop.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stopClaiming.Token);
        var loops = Enumerable.Range(0, _config.Workers).Select(_ => WorkLoopAsync(stop.Token)).Append(MaintenanceLoopAsync(stop.Token)).ToList();
        await Task.WhenAll(loops);
    }

    private async Task WorkLoopAsync(CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (await ProcessNextAsync(stop))
                {
                    continue;
                }

                await _signal.WaitAsync(_config.PollInterval, _time, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database may be briefly unreachable; the lease makes any claimed item safe to retry elsewhere.
                Log.LoopFailed(_logger, ex);
                await DelayQuietlyAsync(_config.PollInterval, stop);
            }
        }
    }

    private async Task MaintenanceLoopAsync(CancellationToken stop)
    {
        await Task.Yield();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await MaintainAsync(stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.LoopFailed(_logger, ex);
            }

            await DelayQuietlyAsync(_config.PollInterval, stop);
        }
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken stop) =>
        await Task.Delay(delay, _time, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

    private async Task<JobLease?> ClaimAsync(CancellationToken cancellationToken)
    {
        string[] busyKeys, busyRoutes;
        lock (_lock)
        {
            busyKeys = [.. _busyKeys.Where(k => k.Value >= _config.PerKeyConcurrency).Select(k => k.Key)];
            busyRoutes = [.. _busyRoutes.Where(r => r.Value >= _config.ConcurrencyOf(r.Key)).Select(r => r.Key)];
        }

        var lease = await _store.ClaimAsync(
            new JobClaim
            {
                RunId = RunIds.New(_time),
                Token = Guid.NewGuid().ToString("N"),
                Now = _time.GetUtcNow(),
                Lease = _config.Lease,
                MaxAttempts = _config.MaxAttempts,
                BusyKeys = busyKeys,
                BusyRoutes = busyRoutes,
            },
            cancellationToken);
        if (lease is not null)
        {
            lock (_lock)
            {
                _busyKeys[lease.Item.OwnerKeyId] = _busyKeys.GetValueOrDefault(lease.Item.OwnerKeyId) + 1;
                _busyRoutes[lease.Item.Route] = _busyRoutes.GetValueOrDefault(lease.Item.Route) + 1;
            }
        }

        return lease;
    }

    private async Task RunAsync(JobLease lease)
    {
        using var lost = new CancellationTokenSource();
        using var execution = CancellationTokenSource.CreateLinkedTokenSource(_hardStop.Token, lost.Token);
        using var renewing = new CancellationTokenSource();
        var renewal = RenewLoopAsync(lease, lost, renewing.Token);
        try
        {
            var job = await _store.GetAsync(lease.JobId, CancellationToken.None);
            // Only an item with dependencies reads the others (their outputs fill its templates).
            var items = lease.Item.DependsOn.Count == 0 ? [] : await _store.GetItemsAsync(lease.JobId, CancellationToken.None);
            JobItemExecutor.Outcome outcome;
            try
            {
                outcome = await _executor.RunAsync(lease, job!, items, execution.Token);
            }
            catch (OperationCanceledException) when (execution.IsCancellationRequested)
            {
                outcome = new JobItemExecutor.Outcome(ItemResult.Failure("cancelled", "stopped"), true);
            }

            await renewing.CancelAsync();
            await renewal;
            await FinishAsync(lease, outcome, lost.IsCancellationRequested);
        }
        catch (Exception ex)
        {
            // An unexpected fault in this attempt: counted as an attempt, retried like an outage.
            Log.ItemFaulted(_logger, ex, lease.JobId, lease.ItemId);
            await renewing.CancelAsync();
            await renewal;
            await FinishAsync(lease, new JobItemExecutor.Outcome(ItemResult.Failure("unavailable", $"{ex.GetType().Name}: {ex.Message}"), true), lost.IsCancellationRequested);
        }
        finally
        {
            lock (_lock)
            {
                Decrement(_busyKeys, lease.Item.OwnerKeyId);
                Decrement(_busyRoutes, lease.Item.Route);
            }

            _signal.Wake();
        }
    }

    private async Task FinishAsync(JobLease lease, JobItemExecutor.Outcome outcome, bool leaseLost)
    {
        var now = _time.GetUtcNow();
        if (leaseLost)
        {
            Log.LeaseLost(_logger, lease.JobId, lease.ItemId);
            return;
        }

        ItemTransition transition;
        if (_hardStop.IsCancellationRequested && !outcome.Result.Succeeded)
        {
            transition = await _store.ReleaseAsync(lease, now, CancellationToken.None);
        }
        else if (outcome.Result.Succeeded || !outcome.Retryable || lease.Item.Attempts >= _config.MaxAttempts)
        {
            transition = await _store.CompleteAsync(lease, outcome.Result, now, CancellationToken.None);
        }
        else
        {
            var delay = RetryDelay(lease.Item.Attempts);
            transition = await _store.RetryAsync(lease, outcome.Result, now + delay, now, CancellationToken.None);
        }

        if (!transition.Accepted)
        {
            Log.LeaseLost(_logger, lease.JobId, lease.ItemId);
            return;
        }

        if (transition.ItemStatus is { } status && status.IsTerminal())
        {
            _telemetry.JobItemsFinished(status.ToWire());
        }

        if (transition.Skipped > 0)
        {
            _telemetry.JobItemsFinished(JobItemStatus.Skipped.ToWire(), transition.Skipped);
        }

        if (transition.JobStatus is { } jobStatus)
        {
            Log.JobFinished(_logger, lease.JobId, jobStatus.ToWire());
        }
    }

    /// <summary>The wait before attempt <paramref name="attempts"/> + 1: the base delay, doubled per attempt, capped.</summary>
    internal TimeSpan RetryDelay(int attempts)
    {
        var delay = _config.RetryBaseDelay * Math.Pow(2, Math.Max(0, attempts - 1));
        return delay > _config.RetryMaxDelay ? _config.RetryMaxDelay : delay;
    }

    private async Task RenewLoopAsync(JobLease lease, CancellationTokenSource lost, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_config.Lease / 3, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var held = await _store.RenewAsync(lease, _time.GetUtcNow(), _config.Lease, stop);
                LeaseRenewed?.Invoke(lease, held);
                if (!held)
                {
                    // Another worker owns the item now: stop working on it, and write nothing about it.
                    await lost.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The attempt ended.
        }
        catch (Exception ex)
        {
            // A failed renewal is not a lost lease yet; the attempt goes on, and the fencing token protects the result.
            Log.RenewFailed(_logger, ex, lease.JobId, lease.ItemId);
        }
    }

    private static void Decrement(Dictionary<string, int> counts, string key)
    {
        if (counts.TryGetValue(key, out var count) && count > 1)
        {
            counts[key] = count - 1;
        }
        else
        {
            counts.Remove(key);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 60, EventName = "JobLoopFailed", Level = LogLevel.Error, Message = "A job worker loop met an error; it tries again after the poll interval")]
        public static partial void LoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(EventId = 61, EventName = "JobItemFaulted", Level = LogLevel.Error, Message = "Item {ItemId} of job {JobId} faulted; the attempt counts and is retried")]
        public static partial void ItemFaulted(ILogger logger, Exception exception, string jobId, string itemId);

        [LoggerMessage(EventId = 62, EventName = "JobLeaseLost", Level = LogLevel.Warning, Message = "The lease of item {ItemId} of job {JobId} was lost (another worker took it over); this attempt's result is dropped")]
        public static partial void LeaseLost(ILogger logger, string jobId, string itemId);

        [LoggerMessage(EventId = 63, EventName = "JobRenewFailed", Level = LogLevel.Warning, Message = "Could not renew the lease of item {ItemId} of job {JobId}")]
        public static partial void RenewFailed(ILogger logger, Exception exception, string jobId, string itemId);

        [LoggerMessage(EventId = 64, EventName = "JobFinished", Level = LogLevel.Information, Message = "Job {JobId} finished: {Status}")]
        public static partial void JobFinished(ILogger logger, string jobId, string status);

        [LoggerMessage(EventId = 65, EventName = "JobLeasesExhausted", Level = LogLevel.Warning, Message = "{Count} job items failed: their lease ran out on their last attempt")]
        public static partial void LeasesExhausted(ILogger logger, int count);

        [LoggerMessage(EventId = 66, EventName = "JobDraining", Level = LogLevel.Information, Message = "Stopping: {Count} job items still run; they get {Grace} to finish before their leases are given back")]
        public static partial void Draining(ILogger logger, int count, TimeSpan grace);
    }
}
