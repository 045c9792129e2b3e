namespace Switchyard.Jobs;

/// <summary>The queue at one moment: items ready to run, and how long the oldest has waited.</summary>
/// <param name="Depth">Queued items whose retry delay is over, plus running items whose lease ran out.</param>
/// <param name="OldestAge">How long the oldest of those has been available; zero when none.</param>
/// <param name="Running">Items running under a live lease.</param>
public sealed record JobQueueStats(long Depth, TimeSpan OldestAge, long Running);
