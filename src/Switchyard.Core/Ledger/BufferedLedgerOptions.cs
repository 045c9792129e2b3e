using System.ComponentModel.DataAnnotations;

namespace Switchyard.Ledger;

/// <summary>Settings of <see cref="BufferedLedger"/>.</summary>
public sealed class BufferedLedgerOptions
{
    /// <summary>How many writes may wait to be stored; a writer that finds the queue full waits for room (back-pressure).</summary>
    [Range(1, 10_000_000)]
    public int Capacity { get; set; } = 10_000;

    /// <summary>The most writes stored in one batch (one transaction).</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 1024;

    /// <summary>
    /// How long the writer waits, once a write is queued, for more writes to join its batch (unless a full batch is
    /// already queued). Fewer, larger transactions cost less per record, and a request's start and end then usually
    /// share a batch, where they become one row. A read or a flush ends the wait at once; zero writes without waiting.
    /// Callers never wait for it: they only queue. The writes of runs that have only started in a batch (the run's start,
    /// attempts about to send) wait for the next batch, so that a request ending by then is written once; a start is
    /// therefore stored within two windows (or two full batches) of being queued, and at once when a read or a flush waits.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The wait after a batch first fails; it doubles with each further failure up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest wait between two tries of a failing batch.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many times in a row the store may reject a batch (see <see cref="ILedgerBatchWriter.IsRejection"/>: a record
    /// it refuses, not a store that is down) before its writes are tried one by one, and then how many times one write
    /// may be rejected before it is set aside, logged at Error and counted, so that it cannot stop the ledger.
    /// </summary>
    [Range(1, 1000)]
    public int RejectAfter { get; set; } = 3;

    /// <summary>How long disposing waits for the queue to be stored before it gives up (and logs how many writes were lost).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
