namespace Switchyard.Jobs;

/// <summary>What <see cref="IJobStore.CreateAsync"/> did.</summary>
/// <param name="Job">The stored job: the new one, or the one stored earlier under the same idempotency key.</param>
/// <param name="Created">Whether this call stored it.</param>
/// <param name="Conflict">Whether an earlier job holds the idempotency key with a different body (then <paramref name="Job"/> is that job and nothing was stored).</param>
public sealed record JobCreateResult(JobRecord Job, bool Created, bool Conflict);
