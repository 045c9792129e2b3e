using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Ledger;

namespace Switchyard.Hosting;

/// <summary>
/// Removes runs older than <c>storage.retention</c>: once at start-up, then every <see cref="Interval"/> on the injected clock.
/// Registered after <see cref="GatewayInitializer"/>, so the schema is migrated before the first sweep.
/// </summary>
internal sealed partial class LedgerRetentionService : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    private readonly ILedger _ledger;
    private readonly IArtifactStore _artifacts;
    private readonly TimeSpan? _retention;
    private readonly TimeProvider _time;
    private readonly ILogger<LedgerRetentionService> _logger;

    public LedgerRetentionService(ILedger ledger, IArtifactStore artifacts, SwitchyardConfig config, TimeProvider time, ILogger<LedgerRetentionService> logger)
    {
        _ledger = ledger;
        _artifacts = artifacts;
        _retention = config.Storage.Retention;
        _time = time;
        _logger = logger;
    }

    /// <summary>The start time before which runs are removed at <paramref name="now"/>, or null when runs are kept forever.</summary>
    public static DateTimeOffset? Cutoff(DateTimeOffset now, TimeSpan? retention) =>
        retention is { } keep && keep > TimeSpan.Zero ? now - keep : null;

    /// <summary>One sweep; returns how many runs were removed. A failure is logged, and the next sweep tries again.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        if (Cutoff(_time.GetUtcNow(), _retention) is not { } cutoff)
        {
            return 0;
        }

        try
        {
            var removed = await _ledger.DeleteRunsBeforeAsync(cutoff, cancellationToken);
            Log.Removed(_logger, removed, cutoff);

            // Generated files follow their runs out: what the ledger no longer describes is not kept.
            var files = await _artifacts.DeleteCreatedBeforeAsync(cutoff, cancellationToken);
            Log.RemovedArtifacts(_logger, files, cutoff);
            return removed;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.Failed(_logger, ex, cutoff);
            return 0;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_retention is null)
        {
            Log.KeepingForever(_logger);
            return;
        }

        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            do
            {
                await SweepAsync(stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 20, EventName = "RetentionRemovedRuns", Level = LogLevel.Information, Message = "Retention removed {Removed} runs started before {Cutoff:O}")]
        public static partial void Removed(ILogger logger, int removed, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 21, EventName = "RetentionFailed", Level = LogLevel.Error, Message = "Retention could not remove runs started before {Cutoff:O}; it tries again at the next sweep")]
        public static partial void Failed(ILogger logger, Exception exception, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 23, EventName = "RetentionRemovedArtifacts", Level = LogLevel.Information, Message = "Retention removed {Removed} artifacts stored before {Cutoff:O}")]
        public static partial void RemovedArtifacts(ILogger logger, int removed, DateTimeOffset cutoff);

        [LoggerMessage(EventId = 22, EventName = "RetentionOff", Level = LogLevel.Information, Message = "storage.retention is 0: runs are kept forever")]
        public static partial void KeepingForever(ILogger logger);
    }
}
