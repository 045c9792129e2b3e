using System.Runtime.InteropServices;
using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>
/// What <see cref="BufferedLedger"/>'s writer does with a batch it read before storing it, in one pass with one look-up
/// per write: coalescing (each run and each attempt written once, as its last write, where it first appeared) and
/// holding (the writes of runs that have only started, kept for the next batch). Its collections are cleared and
/// reused batch after batch: a list it returns is valid until the next call.
/// </summary>
internal sealed class LedgerBatchPlan
{
    private readonly Dictionary<string, int> _runIndex = new(StringComparer.Ordinal);
    private readonly List<RunEntry> _runs = [];
    private readonly Dictionary<(string RunId, int Seq), int> _moreAttempts = [];
    private readonly List<LedgerWrite> _coalesced = [];
    private readonly List<int> _slotRuns = [];
    private readonly List<LedgerWrite> _now = [];

    /// <summary>
    /// Coalesces <paramref name="batch"/>; when <paramref name="hold"/>, moves the writes of every run that has only
    /// started in it (its start and attempts about to send, nothing else, and not held the last time:
    /// <paramref name="heldBefore"/>) into <paramref name="held"/> and adds those runs to <paramref name="heldNow"/>.
    /// </summary>
    /// <param name="batch">The writes read from the queue, in order (held writes of the last batch first).</param>
    /// <param name="hold">Whether to hold runs that have only started (not when a flush or a read waits).</param>
    /// <param name="heldBefore">The runs held the last time: none of them is held again.</param>
    /// <param name="held">Receives the held writes.</param>
    /// <param name="heldNow">Receives the held runs.</param>
    /// <param name="firstHeld">The index in <paramref name="batch"/> of the first write of a held run, or -1.</param>
    /// <returns>The writes to store now, in their order.</returns>
    public List<LedgerWrite> Prepare(List<LedgerWrite> batch, bool hold, HashSet<string> heldBefore, List<LedgerWrite> held, HashSet<string> heldNow, out int firstHeld)
    {
        firstHeld = -1;
        var writes = Coalesce(batch);
        if (!hold)
        {
            return writes;
        }

        var runs = CollectionsMarshal.AsSpan(_runs);
        for (var i = 0; i < runs.Length; i++)
        {
            ref var run = ref runs[i];
            if (run.Ended == 0 && !heldBefore.Contains(run.RunId))
            {
                run.Held = true;
                heldNow.Add(run.RunId);
                firstHeld = firstHeld < 0 ? run.FirstWrite : Math.Min(firstHeld, run.FirstWrite);
            }
        }

        if (firstHeld < 0)
        {
            return writes;
        }

        _now.Clear();
        for (var slot = 0; slot < writes.Count; slot++)
        {
            (runs[_slotRuns[slot]].Held ? held : _now).Add(writes[slot]);
        }

        return _now;
    }

    private List<LedgerWrite> Coalesce(List<LedgerWrite> batch)
    {
        _runIndex.Clear();
        _runs.Clear();
        _moreAttempts.Clear();
        _coalesced.Clear();
        _slotRuns.Clear();
        for (var i = 0; i < batch.Count; i++)
        {
            var write = batch[i];
            ref var index = ref CollectionsMarshal.GetValueRefOrAddDefault(_runIndex, write.RunId, out var known);
            if (!known)
            {
                index = _runs.Count;
                _runs.Add(new RunEntry(write.RunId, i));
            }

            var runIndex = index;
            ref var run = ref CollectionsMarshal.AsSpan(_runs)[runIndex];
            switch (write)
            {
                case LedgerWrite.RunStarted:
                    // After a start or a finish of the same run in this batch, another start changes nothing.
                    if (run.RunSlot < 0)
                    {
                        run.RunSlot = Add(write, runIndex);
                    }

                    break;
                case LedgerWrite.RunFinished:
                    run.RunSlot = Put(ref run, run.RunSlot, write, runIndex);
                    break;
                case LedgerWrite.Attempt attempt:
                    var seq = attempt.Record.Seq;
                    if (run.AttemptSlot < 0 || run.AttemptSeq == seq)
                    {
                        run.AttemptSeq = seq;
                        run.AttemptSlot = Put(ref run, run.AttemptSlot, write, runIndex);
                    }
                    else
                    {
                        // A second attempt of the run in this batch (a retry or the next tier): rarer, so a look-up of its own.
                        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(_moreAttempts, (write.RunId, seq), out var seen);
                        slot = Put(ref run, seen ? slot : -1, write, runIndex);
                    }

                    break;
                default:
                    Add(write, runIndex);
                    run.Ended++;
                    break;
            }
        }

        return _coalesced;
    }

    // Replaces the write in slot (or appends when slot < 0), keeping the run's count of writes that end something.
    private int Put(ref RunEntry run, int slot, LedgerWrite write, int runIndex)
    {
        run.Ended += Ends(write) ? 1 : 0;
        if (slot < 0)
        {
            return Add(write, runIndex);
        }

        run.Ended -= Ends(_coalesced[slot]) ? 1 : 0;
        _coalesced[slot] = write;
        return slot;
    }

    private int Add(LedgerWrite write, int runIndex)
    {
        _coalesced.Add(write);
        _slotRuns.Add(runIndex);
        return _coalesced.Count - 1;
    }

    // Anything but a start or an attempt about to send: a run with such a write has not only started.
    private static bool Ends(LedgerWrite write) =>
        write is not (LedgerWrite.RunStarted or LedgerWrite.Attempt { Record.Status: AttemptStatus.Started });

    private struct RunEntry(string runId, int firstWrite)
    {
        public readonly string RunId = runId;
        public readonly int FirstWrite = firstWrite;
        public int RunSlot = -1;
        public int AttemptSeq;
        public int AttemptSlot = -1;
        public int Ended;
        public bool Held;
    }
}
