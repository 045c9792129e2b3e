using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Artifacts;
using Switchyard.Ledger;

namespace Switchyard.Tests.Hosting;

public sealed class LedgerRetentionServiceTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Cutoff_Retention_IsNowMinusRetention()
    {
        Assert.Equal(Now.AddDays(-30), LedgerRetentionService.Cutoff(Now, TimeSpan.FromDays(30)));
    }

    [Fact]
    public void Cutoff_KeepForever_IsNull()
    {
        Assert.Null(LedgerRetentionService.Cutoff(Now, null));
        Assert.Null(LedgerRetentionService.Cutoff(Now, TimeSpan.Zero));
    }

    [Fact]
    public async Task ExecuteAsync_Retention_SweepsAtStartThenEveryHour()
    {
        var time = new FakeTimeProvider(Now);
        var ledger = new RecordingLedger();
        using var service = Create(ledger, TimeSpan.FromDays(7), time);

        await service.StartAsync(Ct);
        Assert.Equal(Now.AddDays(-7), await ledger.NextCutoffAsync());

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(ledger.HasCall);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(Now.AddHours(1).AddDays(-7), await ledger.NextCutoffAsync());
        time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(Now.AddHours(2).AddDays(-7), await ledger.NextCutoffAsync());

        await service.StopAsync(Ct);
    }

    [Fact]
    public async Task ExecuteAsync_DeleteFails_LogsAndSweepsAgainNextHour()
    {
        var time = new FakeTimeProvider(Now);
        var ledger = new RecordingLedger { FailFirst = true };
        using var service = Create(ledger, TimeSpan.FromDays(1), time);

        await service.StartAsync(Ct);
        await ledger.NextCutoffAsync();
        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(Now.AddHours(1).AddDays(-1), await ledger.NextCutoffAsync());
        await service.StopAsync(Ct);
    }

    [Fact]
    public async Task ExecuteAsync_KeepForever_NeverDeletes()
    {
        var time = new FakeTimeProvider(Now);
        var ledger = new RecordingLedger();
        using var service = Create(ledger, null, time);

        await service.StartAsync(Ct);
        time.Advance(TimeSpan.FromHours(5));
        await service.StopAsync(Ct);

        Assert.False(ledger.HasCall);
    }

    private static LedgerRetentionService Create(ILedger ledger, TimeSpan? retention, TimeProvider time, IArtifactStore? artifacts = null)
    {
        var config = new SwitchyardConfig
        {
            Storage = new StorageConfig { Database = "sqlite:x.db", Artifacts = "file:a", Retention = retention },
            Server = new ServerConfig(),
            Providers = new Dictionary<string, ProviderConfig>(),
            Routes = new Dictionary<string, RouteConfig>(),
            Presets = new Dictionary<string, PresetConfig>(),
            Outbound = new OutboundConfig(),
        };
        // A store on a folder that does not exist holds nothing to delete.
        artifacts ??= new FileArtifactStore(Path.Combine(Path.GetTempPath(), "switchyard-retention-" + Guid.NewGuid().ToString("N")), time);
        return new LedgerRetentionService(ledger, artifacts, config, time, NullLogger<LedgerRetentionService>.Instance);
    }

    // Records each DeleteRunsBeforeAsync cutoff; only that member is used by the service.
    private sealed class RecordingLedger : ILedger
    {
        private readonly Channel<DateTimeOffset> _cutoffs = Channel.CreateUnbounded<DateTimeOffset>();

        public bool FailFirst { get; set; }

        public bool HasCall => _cutoffs.Reader.Count > 0;

        public async Task<DateTimeOffset> NextCutoffAsync()
        {
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            bound.CancelAfter(TimeSpan.FromSeconds(30));
            return await _cutoffs.Reader.ReadAsync(bound.Token);
        }

        public ValueTask<int> DeleteRunsBeforeAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
        {
            _cutoffs.Writer.TryWrite(cutoff);
            if (FailFirst)
            {
                FailFirst = false;
                throw new InvalidOperationException("database is down");
            }

            return ValueTask.FromResult(3);
        }

        public ValueTask RunStartedAsync(RunRecord run, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask AttemptAsync(AttemptRecord attempt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask RunFinishedAsync(RunRecord run, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<RunRecord?> GetRunAsync(string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<AttemptRecord>> GetAttemptsAsync(string runId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<RunRecord>> ListRunsAsync(RunQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();

        public ValueTask<IReadOnlyList<RunFacts>> GetRunFactsAsync(StatsQuery query, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
