namespace Switchyard.Jobs;

/// <summary>The latest reading of the job queue, taken by the job worker on each maintenance pass; <c>queue_age</c> alert rules read it.</summary>
public sealed class JobQueueReading
{
    private JobQueueStats? _latest;

    /// <summary>The latest reading, or null before the first.</summary>
    public JobQueueStats? Latest => Volatile.Read(ref _latest);

    /// <summary>Records a reading.</summary>
    public void Observe(JobQueueStats stats) => Volatile.Write(ref _latest, stats);
}
