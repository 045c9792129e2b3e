using Microsoft.Extensions.Logging;

namespace Switchyard.Ledger;

public sealed partial class BufferedLedger
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 300, EventName = "LedgerBatchFailed", Level = LogLevel.Error,
            Message = "Storing a ledger batch of {BatchSize} writes failed (failure {Failures} in a row); {Pending} writes are waiting, none is dropped; retrying in {RetryDelayMs} ms")]
        public static partial void BatchFailed(ILogger logger, Exception exception, int batchSize, int failures, long pending, double retryDelayMs);

        [LoggerMessage(EventId = 301, EventName = "LedgerBatchRecovered", Level = LogLevel.Information,
            Message = "Stored the ledger batch of {BatchSize} writes after {Failures} failures")]
        public static partial void BatchRecovered(ILogger logger, int batchSize, int failures);

        [LoggerMessage(EventId = 303, EventName = "LedgerBatchRejected", Level = LogLevel.Warning,
            Message = "The store rejected a ledger batch of {BatchSize} writes {Failures} times in a row; writing them one by one to set aside only the ones it refuses")]
        public static partial void BatchRejected(ILogger logger, Exception exception, int batchSize, int failures);

        [LoggerMessage(EventId = 304, EventName = "LedgerWriteRejected", Level = LogLevel.Error,
            Message = "The store rejected the ledger write {WriteKind} of run {RunId} (attempt {AttemptSeq}) {Failures} times in a row: set aside, not stored; the rest of the ledger goes on")]
        public static partial void WriteRejected(ILogger logger, Exception exception, string writeKind, string runId, int? attemptSeq, int failures);

        [LoggerMessage(EventId = 302, EventName = "LedgerWritesAbandoned", Level = LogLevel.Error,
            Message = "The ledger writer was stopped before it could store {Lost} writes: those records are lost")]
        public static partial void WritesAbandoned(ILogger logger, long lost);
    }
}
