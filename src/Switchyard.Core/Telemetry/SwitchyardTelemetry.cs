using System.Diagnostics;
using System.Diagnostics.Metrics;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Telemetry;

/// <summary>
/// The gateway's own traces and metrics (System.Diagnostics, exported by OpenTelemetry): a span
/// per run and per attempt, and counters and histograms of runs, attempts, circuit changes,
/// placeholder answers and cache hits.
/// </summary>
public sealed class SwitchyardTelemetry : IDisposable
{
    /// <summary>The name of the ActivitySource and Meter.</summary>
    public const string Name = "Switchyard";

    private readonly Meter _meter;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _runDuration;
    private readonly Counter<long> _attempts;
    private readonly Histogram<double> _attemptDuration;
    private readonly Counter<long> _placeholder;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _circuitTransitions;
    private readonly Counter<long> _webhookTries;
    private readonly Counter<long> _jobItems;
    private Jobs.JobQueueStats _jobQueue = new(0, TimeSpan.Zero, 0);

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (or a plain one when null).</summary>
    public SwitchyardTelemetry(IMeterFactory? meterFactory = null)
    {
        _meter = meterFactory?.Create(Name) ?? new Meter(Name);
        _runs = _meter.CreateCounter<long>("switchyard.runs", "{run}", "Client requests by route, modality and outcome.");
        _runDuration = _meter.CreateHistogram<double>("switchyard.run.duration", "s", "Run latency by route and outcome.");
        _attempts = _meter.CreateCounter<long>("switchyard.attempts", "{attempt}", "Provider attempts by provider, status, error class and skip reason.");
        _attemptDuration = _meter.CreateHistogram<double>("switchyard.attempt.duration", "s", "Attempt latency by provider and status.");
        _placeholder = _meter.CreateCounter<long>("switchyard.placeholder.served", "{run}", "Runs answered by the placeholder, by route.");
        _cacheHits = _meter.CreateCounter<long>("switchyard.cache.hits", "{run}", "Runs served from the result cache, by route.");
        _circuitTransitions = _meter.CreateCounter<long>("switchyard.circuit.transitions", "{transition}", "Circuit breaker state changes by provider and new state.");
        _webhookTries = _meter.CreateCounter<long>("switchyard.webhook.deliveries", "{try}", "Webhook delivery tries by result (delivered, retry, failed) and event type.");
        _jobItems = _meter.CreateCounter<long>("switchyard.jobs.items.completed", "{item}", "Job items finished, by status (succeeded, failed, skipped, cancelled).");
        _meter.CreateObservableGauge("switchyard.jobs.queue.depth", () => Volatile.Read(ref _jobQueue).Depth, "{item}", "Job items ready to run (queued and due, or with an expired lease).");
        _meter.CreateObservableGauge("switchyard.jobs.queue.oldest_age", () => Volatile.Read(ref _jobQueue).OldestAge.TotalSeconds, "s", "How long the oldest ready job item has waited.");
        _meter.CreateObservableGauge("switchyard.jobs.running", () => Volatile.Read(ref _jobQueue).Running, "{item}", "Job items running under a live lease (all nodes).");
    }

    /// <summary>The source of run and attempt spans.</summary>
    public static ActivitySource Source { get; } = new(Name);

    /// <summary>The meter, for observable instruments owned elsewhere (e.g. circuit state).</summary>
    public Meter Meter => _meter;

    /// <summary>
    /// Observes the ledger's queue: <c>switchyard.ledger.pending</c> (writes queued, not yet stored) and
    /// <c>switchyard.ledger.rejected</c> (writes the store refused and that were set aside; each also logged at Error).
    /// </summary>
    public void ObserveLedger(BufferedLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        _meter.CreateObservableGauge("switchyard.ledger.pending", () => ledger.Pending, "{write}", "Ledger writes queued and not yet stored.");
        _meter.CreateObservableCounter("switchyard.ledger.rejected", () => ledger.Rejected, "{write}", "Ledger writes the store refused, set aside and logged at Error.");
    }

    /// <summary>Starts the span of a run.</summary>
    public static Activity? StartRun(RunRecord run)
    {
        var activity = Source.StartActivity("switchyard.run", ActivityKind.Internal);
        activity?.SetTag("switchyard.run_id", run.Id);
        activity?.SetTag("switchyard.route", run.Route);
        activity?.SetTag("switchyard.modality", run.Modality.ToWire());
        activity?.SetTag("switchyard.preset", run.Preset);
        return activity;
    }

    /// <summary>Starts the span of an attempt (a child of the run's span).</summary>
    public static Activity? StartAttempt(AttemptRecord attempt)
    {
        var activity = Source.StartActivity("switchyard.attempt", ActivityKind.Client);
        activity?.SetTag("switchyard.provider", attempt.Provider);
        activity?.SetTag("switchyard.model", attempt.Model);
        activity?.SetTag("switchyard.tier", attempt.Tier);
        activity?.SetTag("switchyard.retry", attempt.Retry);
        return activity;
    }

    /// <summary>Records an attempt's end (or skip) on its span and in the metrics.</summary>
    public void AttemptEnded(Activity? activity, AttemptRecord attempt)
    {
        var status = attempt.Status.ToWire();
        var errorClass = attempt.ErrorClass?.ToWire();
        var skipReason = attempt.SkipReason?.ToWire();
        if (activity is not null)
        {
            activity.SetTag("switchyard.status", status);
            activity.SetTag("switchyard.error_class", errorClass);
            activity.SetTag("switchyard.skip_reason", skipReason);
            activity.SetTag("http.response.status_code", attempt.HttpStatus);
            if (attempt.Status == AttemptStatus.Failed)
            {
                activity.SetStatus(ActivityStatusCode.Error, errorClass);
            }
        }

        _attempts.Add(1, [new("provider", attempt.Provider), new("status", status), new("error_class", errorClass ?? ""), new("skip_reason", skipReason ?? "")]);
        if (attempt.DurationMs is { } ms && attempt.Status != AttemptStatus.Skipped)
        {
            _attemptDuration.Record(ms / 1000, [new("provider", attempt.Provider), new("status", status)]);
        }
    }

    /// <summary>Records a run's end on its span and in the metrics.</summary>
    public void RunEnded(Activity? activity, RunRecord run)
    {
        var outcome = run.Outcome?.ToWire() ?? "unknown";
        if (activity is not null)
        {
            activity.SetTag("switchyard.outcome", outcome);
            activity.SetTag("switchyard.provider", run.ServedProvider);
            activity.SetTag("switchyard.error_class", run.ErrorClass?.ToWire());
            if (run.Outcome == RunOutcome.Failed)
            {
                activity.SetStatus(ActivityStatusCode.Error, run.ErrorClass?.ToWire());
            }
        }

        _runs.Add(1, [new("route", run.Route), new("modality", run.Modality.ToWire()), new("outcome", outcome)]);
        if (run.DurationMs is { } ms)
        {
            _runDuration.Record(ms / 1000, [new("route", run.Route), new("outcome", outcome)]);
        }

        if (run.ServedProviderType == "placeholder")
        {
            _placeholder.Add(1, new KeyValuePair<string, object?>("route", run.Route));
        }

        if (run.CacheHit)
        {
            _cacheHits.Add(1, new KeyValuePair<string, object?>("route", run.Route));
        }
    }

    /// <summary>Counts a circuit state change.</summary>
    public void CircuitChanged(string provider, string state) =>
        _circuitTransitions.Add(1, [new("provider", provider), new("state", state)]);

    /// <summary>Counts a webhook delivery try by its result.</summary>
    public void WebhookTried(string result, string eventType) =>
        _webhookTries.Add(1, [new("result", result), new("event_type", eventType)]);
    /// <summary>Counts job items that finished with <paramref name="status"/> (wire name).</summary>
    public void JobItemsFinished(string status, int count = 1) =>
        _jobItems.Add(count, new KeyValuePair<string, object?>("status", status));

    /// <summary>The latest reading of the job queue, reported by the queue gauges.</summary>
    public void JobQueueObserved(Jobs.JobQueueStats stats) => Volatile.Write(ref _jobQueue, stats);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
