namespace Switchyard.Ledger;

/// <summary>The part of <see cref="ILedgerBatchWriter.IsRejection"/> every store shares.</summary>
public static class LedgerRejections
{
    /// <summary>
    /// True for the exceptions .NET itself throws when a value cannot be turned into what the store keeps (a bad
    /// argument, a format or cast that fails, a number out of range): they follow the record, not the store's state.
    /// </summary>
    public static bool IsValueError(Exception exception) =>
        exception is ArgumentException or FormatException or InvalidCastException or OverflowException;
}
