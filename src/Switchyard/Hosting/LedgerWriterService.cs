using Switchyard.Ledger;

namespace Switchyard.Hosting;

/// <summary>
/// Stores the ledger's queue when the host stops. It runs in <see cref="StoppedAsync"/>, after every hosted service,
/// the web server included, has stopped: requests still in flight at shutdown have written their records by then.
/// </summary>
internal sealed class LedgerWriterService : IHostedLifecycleService
{
    private readonly ILedger _ledger;

    public LedgerWriterService(ILedger ledger)
    {
        _ledger = ledger;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The host's shutdown timeout bounds the wait; past it the ledger logs at Error how many records it could not store.
    public Task StoppedAsync(CancellationToken cancellationToken) =>
        _ledger is BufferedLedger buffered ? buffered.CompleteAsync(cancellationToken) : Task.CompletedTask;
}
