namespace Switchyard.Ledger;

/// <summary>Nearest-rank latency percentiles in milliseconds; each null when there was nothing to measure.</summary>
/// <param name="P50">The median.</param>
/// <param name="P95">The 95th percentile.</param>
/// <param name="P99">The 99th percentile.</param>
public sealed record LatencyPercentiles(double? P50, double? P95, double? P99)
{
    /// <summary>No measurements.</summary>
    public static LatencyPercentiles Empty { get; } = new(null, null, null);

    /// <summary>
    /// The nearest-rank percentiles of <paramref name="values"/>: the smallest value with at least p% of the
    /// values at or below it (rank ⌈p/100 · n⌉ of the sorted values), so every result is a measured value.
    /// </summary>
    public static LatencyPercentiles Of(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? Empty : new(NearestRank(sorted, 50), NearestRank(sorted, 95), NearestRank(sorted, 99));
    }

    private static double NearestRank(double[] sorted, int percentile)
    {
        // Integer arithmetic keeps ⌈p·n/100⌉ exact (0.95 * 20 is not 19 in floating point).
        var rank = (percentile * sorted.Length + 99) / 100;
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
