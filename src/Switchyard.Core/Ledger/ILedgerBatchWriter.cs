namespace Switchyard.Ledger;

/// <summary>
/// An optional capability of a ledger store: writing many records at once, in order and atomically,
/// which is what makes <see cref="BufferedLedger"/> cheap. A store without it is written one record at a time.
/// </summary>
public interface ILedgerBatchWriter
{
    /// <summary>
    /// Writes <paramref name="writes"/> in order, all or none: when it throws, nothing of the batch was kept.
    /// Writing a batch again is harmless (a run start already stored is skipped, the rest replaces), so a batch
    /// whose failed try may have committed can be retried.
    /// </summary>
    ValueTask WriteBatchAsync(IReadOnlyList<LedgerWrite> writes, CancellationToken cancellationToken);

    /// <summary>
    /// True when <paramref name="exception"/>, thrown by <see cref="WriteBatchAsync"/>, says the store refused what it
    /// was given (a constraint it breaks, a value it cannot hold): the same writes fail every time while others are
    /// stored. False when the store could not write at all (busy, locked, disk full, connection lost), which passes.
    /// <see cref="BufferedLedger"/> retries the second kind for as long as it lasts and sets the first kind aside,
    /// write by write, so one bad record cannot stop the ledger.
    /// </summary>
    bool IsRejection(Exception exception);
}
