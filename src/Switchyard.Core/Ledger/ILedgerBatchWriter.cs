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
}
