using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Ui;

namespace Switchyard.Tests.Ui;

/// <summary>The overview's time series: ledger facts bucketed per interval, counted and measured by hand.</summary>
public sealed class OverviewSeriesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void BucketStarts_AlignToTheBucketAndCoverTheWindow()
    {
        var buckets = OverviewSeries.BucketStarts(T0.AddSeconds(20), T0.AddMinutes(3).AddSeconds(5), TimeSpan.FromMinutes(1));

        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2), T0.AddMinutes(3)], buckets);
    }

    [Fact]
    public void ForRuns_CountsOutcomesPerBucketAndTakesPercentilesOfFinishedRuns()
    {
        RunFacts[] facts =
        [
            Run("a", T0.AddSeconds(1), RunOutcome.Success, 100),
            Run("b", T0.AddSeconds(59), RunOutcome.Degraded, 300),
            Run("c", T0.AddSeconds(30), RunOutcome.Failed, 200),
            Run("d", T0.AddMinutes(2).AddSeconds(10), RunOutcome.Success, 50),
            Run("running", T0.AddMinutes(2), null, null),
            Run("other-route", T0.AddMinutes(1), RunOutcome.Failed, 10, route: "text"),
            Run("before", T0.AddSeconds(-1), RunOutcome.Failed, 10),
        ];

        var series = OverviewSeries.ForRuns(facts, T0, T0.AddMinutes(2).AddSeconds(30), TimeSpan.FromMinutes(1), route: "image");

        Assert.Equal([T0, T0.AddMinutes(1), T0.AddMinutes(2)], series.Buckets);
        Assert.Equal([1, 0, 1], series.Good);
        Assert.Equal([1, 0, 0], series.Middle);
        Assert.Equal([1, 0, 0], series.Bad);
        Assert.Equal([200, null, 50], series.P50);
        Assert.Equal([300, null, 50], series.P95);
        Assert.Equal([300, null, 50], series.P99);
    }

    [Fact]
    public void ForProvider_CountsThatProvidersAttemptsAndTimesOnlyThoseMade()
    {
        RunFacts[] facts =
        [
            Run("a", T0.AddSeconds(5), RunOutcome.Degraded, 900, attempts:
            [
                new AttemptFacts("sandbox-a", "m", AttemptStatus.Failed, ErrorClass.Unavailable, null, 400),
                new AttemptFacts("sandbox-b", "m", AttemptStatus.Success, null, null, 500),
            ]),
            Run("b", T0.AddSeconds(40), RunOutcome.Success, 20, attempts:
            [
                new AttemptFacts("sandbox-a", "m", AttemptStatus.Skipped, null, SkipReason.CircuitOpen, 0),
                new AttemptFacts("sandbox-b", "m", AttemptStatus.Success, null, null, 20),
            ]),
            Run("c", T0.AddSeconds(70), RunOutcome.Success, 30, attempts: [new AttemptFacts("sandbox-a", "m", AttemptStatus.Success, null, null, 30)]),
        ];

        var series = OverviewSeries.ForProvider(facts, T0, T0.AddSeconds(90), TimeSpan.FromMinutes(1), "sandbox-a", route: null);

        Assert.Equal([0, 1], series.Good);
        Assert.Equal([1, 0], series.Middle);
        Assert.Equal([1, 0], series.Bad);
        Assert.Equal([400, 30], series.P50);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 5)]
    [InlineData(17, 20)]
    [InlineData(20, 20)]
    [InlineData(21, 25)]
    [InlineData(1171, 2000)]
    [InlineData(0.3, 0.5)]
    public void NiceMax_IsTheNextRoundNumber(double value, double expected) =>
        Assert.Equal(expected, SvgChart.NiceMax(value), 9);

    private static RunFacts Run(string id, DateTimeOffset at, RunOutcome? outcome, double? ms, string route = "image", IReadOnlyList<AttemptFacts>? attempts = null) => new()
    {
        RunId = id,
        StartedAt = at,
        Route = route,
        Outcome = outcome,
        DurationMs = ms,
        Attempts = attempts ?? [],
    };
}
