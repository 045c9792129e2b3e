namespace Switchyard.Configuration;

/// <summary>The <c>jobs</c> section: how this process runs batch job items.</summary>
public sealed record JobsConfig
{
    /// <summary>Items this process runs at once (0 runs none: the node only accepts jobs).</summary>
    public int Workers { get; init; } = 4;

    /// <summary>How long a claimed item stays leased without renewal; a worker renews it every third of this.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often an idle worker looks for work (a submit on this node wakes it at once).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts per item, counting the first.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The delay before the second attempt; doubled for each next one.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between attempts.</summary>
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The most items one job may have.</summary>
    public int MaxItems { get; init; } = 1000;

    /// <summary>The largest <c>POST /v1/jobs</c> body, in bytes.</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>How long a stopping process lets running items finish before it cancels them and gives their leases back.</summary>
    public TimeSpan GracePeriod { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Items of one owner key this process runs at once, so one big job cannot take every worker.</summary>
    public int PerKeyConcurrency { get; init; } = 4;

    /// <summary>Items of one route this process runs at once, unless <see cref="RouteConcurrency"/> names the route.</summary>
    public int PerRouteConcurrency { get; init; } = 4;

    /// <summary>Per-route limits that override <see cref="PerRouteConcurrency"/>.</summary>
    public IReadOnlyDictionary<string, int> RouteConcurrency { get; init; } = new Dictionary<string, int>();

    /// <summary>The limit of one route.</summary>
    public int ConcurrencyOf(string route) => RouteConcurrency.TryGetValue(route, out var limit) ? limit : PerRouteConcurrency;
}
