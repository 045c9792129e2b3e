namespace Switchyard.Jobs;

/// <summary>A job in a list: its record and how many of its items are in each status.</summary>
/// <param name="Job">The stored job.</param>
/// <param name="Counts">Its items per status.</param>
public sealed record JobSummary(JobRecord Job, JobCounts Counts)
{
    /// <summary>The job's status: the stored one when finished, else the one its items give.</summary>
    public JobStatus Status => Job.Status.IsTerminal() ? Job.Status : Counts.Status(Job.CancelRequested);
}
