namespace Switchyard.Jobs;

/// <summary>What a worker asks for when it claims the next item.</summary>
public sealed record JobClaim
{
    /// <summary>The run id the attempt will run under (appended to the item's run ids).</summary>
    public required string RunId { get; init; }

    /// <summary>The new lease's fencing token.</summary>
    public required string Token { get; init; }

    /// <summary>Now, on the worker's clock (the injected TimeProvider).</summary>
    public required DateTimeOffset Now { get; init; }

    /// <summary>How long the lease lasts unless renewed.</summary>
    public required TimeSpan Lease { get; init; }

    /// <summary>Attempts per item: an item whose lease ran out on its last attempt is not claimed again (see <see cref="IJobStore.FailExpiredAsync"/>).</summary>
    public required int MaxAttempts { get; init; }

    /// <summary>Routes at their concurrency limit in this process: their items are left for later.</summary>
    public IReadOnlyCollection<string> BusyRoutes { get; init; } = [];

    /// <summary>Owner keys at their concurrency limit in this process.</summary>
    public IReadOnlyCollection<string> BusyKeys { get; init; } = [];
}
