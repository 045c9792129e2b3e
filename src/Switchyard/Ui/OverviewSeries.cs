using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Ui;

/// <summary>A window the overview can show, and the bucket its charts use.</summary>
/// <param name="Name">As in <c>?window=</c>.</param>
/// <param name="Span">How far back.</param>
/// <param name="Bucket">One chart point.</param>
internal sealed record OverviewWindow(string Name, TimeSpan Span, TimeSpan Bucket)
{
    public static readonly IReadOnlyList<OverviewWindow> All =
    [
        new("15m", TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(30)),
        new("1h", TimeSpan.FromHours(1), TimeSpan.FromMinutes(1)),
        new("6h", TimeSpan.FromHours(6), TimeSpan.FromMinutes(5)),
        new("24h", TimeSpan.FromHours(24), TimeSpan.FromMinutes(15)),
        new("7d", TimeSpan.FromDays(7), TimeSpan.FromHours(2)),
    ];

    public static OverviewWindow Default => All[1];

    public static OverviewWindow Parse(string? name) => All.FirstOrDefault(w => w.Name == name) ?? Default;
}

/// <summary>
/// Ledger facts bucketed over a window: per bucket, how many runs succeeded, were degraded or failed (or, for one
/// provider, how many of its attempts succeeded, failed or were skipped) and the p50/p95/p99 latency of those that
/// finished. Pure arithmetic over <see cref="RunFacts"/>, checked by hand in the tests.
/// </summary>
internal sealed record OverviewSeries(
    IReadOnlyList<DateTimeOffset> Buckets,
    IReadOnlyList<double?> Good,
    IReadOnlyList<double?> Middle,
    IReadOnlyList<double?> Bad,
    IReadOnlyList<double?> P50,
    IReadOnlyList<double?> P95,
    IReadOnlyList<double?> P99)
{
    /// <summary>Runs (optionally of one route) by outcome: success, degraded, failed; latency of finished runs.</summary>
    public static OverviewSeries ForRuns(IEnumerable<RunFacts> facts, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, string? route)
    {
        var buckets = BucketStarts(since, until, bucket);
        var counts = new double?[3][];
        for (var c = 0; c < 3; c++)
        {
            counts[c] = new double?[buckets.Count];
        }

        var latencies = buckets.Select(_ => new List<double>()).ToArray();
        foreach (var run in facts)
        {
            if ((route is not null && run.Route != route) || run.Outcome is not { } outcome || Index(run.StartedAt, buckets, bucket) is not { } i)
            {
                continue;
            }

            var c = outcome switch { RunOutcome.Success => 0, RunOutcome.Degraded => 1, _ => 2 };
            counts[c][i] = (counts[c][i] ?? 0) + 1;
            if (run.DurationMs is { } ms)
            {
                latencies[i].Add(ms);
            }
        }

        return Build(buckets, counts, latencies);
    }

    /// <summary>One provider's attempts by status: success, skipped, failed; latency of the attempts it made.</summary>
    public static OverviewSeries ForProvider(IEnumerable<RunFacts> facts, DateTimeOffset since, DateTimeOffset until, TimeSpan bucket, string provider, string? route)
    {
        var buckets = BucketStarts(since, until, bucket);
        var counts = new double?[3][];
        for (var c = 0; c < 3; c++)
        {
            counts[c] = new double?[buckets.Count];
        }

        var latencies = buckets.Select(_ => new List<double>()).ToArray();
        foreach (var run in facts)
        {
            if ((route is not null && run.Route != route) || Index(run.StartedAt, buckets, bucket) is not { } i)
            {
                continue;
            }

            foreach (var attempt in run.Attempts.Where(a => a.Provider == provider))
            {
                int? c = attempt.Status switch { AttemptStatus.Success => 0, AttemptStatus.Skipped => 1, AttemptStatus.Failed => 2, _ => null };
                if (c is not { } column)
                {
                    continue;
                }

                counts[column][i] = (counts[column][i] ?? 0) + 1;
                if (attempt.Status != AttemptStatus.Skipped && attempt.DurationMs is { } ms)
                {
                    latencies[i].Add(ms);
                }
            }
        }

        return Build(buckets, counts, latencies);
    }

    /// <summary>The start of every bucket from the one holding <paramref name="since"/> to the one holding <paramref name="until"/>; buckets are aligned to the epoch.</summary>
    public static IReadOnlyList<DateTimeOffset> BucketStarts(DateTimeOffset since, DateTimeOffset until, TimeSpan bucket)
    {
        var first = Floor(since, bucket);
        var list = new List<DateTimeOffset>();
        for (var at = first; at <= until; at += bucket)
        {
            list.Add(at);
        }

        return list;
    }

    private static DateTimeOffset Floor(DateTimeOffset at, TimeSpan bucket) =>
        new(at.UtcTicks - (at.UtcTicks % bucket.Ticks), TimeSpan.Zero);

    private static int? Index(DateTimeOffset at, IReadOnlyList<DateTimeOffset> buckets, TimeSpan bucket)
    {
        if (buckets.Count == 0)
        {
            return null;
        }

        var index = (int)((at.UtcTicks - buckets[0].UtcTicks) / bucket.Ticks);
        return at >= buckets[0] && index < buckets.Count ? index : null;
    }

    private static OverviewSeries Build(IReadOnlyList<DateTimeOffset> buckets, double?[][] counts, List<double>[] latencies)
    {
        var percentiles = latencies.Select(LatencyPercentiles.Of).ToList();
        return new OverviewSeries(
            buckets,
            Zeroes(counts[0]),
            Zeroes(counts[1]),
            Zeroes(counts[2]),
            [.. percentiles.Select(p => p.P50)],
            [.. percentiles.Select(p => p.P95)],
            [.. percentiles.Select(p => p.P99)]);
    }

    // A count of zero is a real zero (the band is flat there), unlike a latency without runs.
    private static double?[] Zeroes(double?[] counts) => [.. counts.Select(c => (double?)(c ?? 0))];
}
