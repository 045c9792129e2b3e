namespace Switchyard.Ledger;

/// <summary>One write to the ledger, as queued by <see cref="BufferedLedger"/>: a run started, an attempt, or a run finished.</summary>
public abstract record LedgerWrite
{
    // Closed: the three cases below are the only writes.
    private LedgerWrite()
    {
    }

    /// <summary>The run id the write belongs to.</summary>
    public abstract string RunId { get; }

    /// <summary>Applies the write to <paramref name="ledger"/> through its one-record methods.</summary>
    public abstract ValueTask ApplyAsync(ILedger ledger, CancellationToken cancellationToken);

    /// <summary><see cref="ILedger.RunStartedAsync"/>.</summary>
    /// <param name="Run">The run.</param>
    public sealed record RunStarted(RunRecord Run) : LedgerWrite
    {
        /// <inheritdoc />
        public override string RunId => Run.Id;

        /// <inheritdoc />
        public override ValueTask ApplyAsync(ILedger ledger, CancellationToken cancellationToken) => ledger.RunStartedAsync(Run, cancellationToken);
    }

    /// <summary><see cref="ILedger.AttemptAsync"/>.</summary>
    /// <param name="Record">The attempt.</param>
    public sealed record Attempt(AttemptRecord Record) : LedgerWrite
    {
        /// <inheritdoc />
        public override string RunId => Record.RunId;

        /// <inheritdoc />
        public override ValueTask ApplyAsync(ILedger ledger, CancellationToken cancellationToken) => ledger.AttemptAsync(Record, cancellationToken);
    }

    /// <summary><see cref="ILedger.RunFinishedAsync"/>.</summary>
    /// <param name="Run">The run.</param>
    public sealed record RunFinished(RunRecord Run) : LedgerWrite
    {
        /// <inheritdoc />
        public override string RunId => Run.Id;

        /// <inheritdoc />
        public override ValueTask ApplyAsync(ILedger ledger, CancellationToken cancellationToken) => ledger.RunFinishedAsync(Run, cancellationToken);
    }
}
