using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Core.Tests.Ledger;

/// <summary>
/// Stats over seven hand-made runs whose numbers are worked out in the comments:
/// r1 success on tier 0; r2 degraded after sandbox-a was unavailable; r3 degraded to the placeholder after a
/// 429 and an open circuit; r4 failed content_rejected; r5 rejected before any attempt; r6 still running; r7 a cache hit.
/// </summary>
public sealed class LedgerStatisticsTests
{
    private const string A = "sandbox-a";
    private const string B = "sandbox-b";
    private const string P = "placeholder";

    private static readonly RunFacts[] Facts =
    [
        Run("r1", "image", "k1", RunOutcome.Success, A, "sandbox-image", 0, 100, 0.01m, Ok(A, "sandbox-image", 90)),
        Run("r2", "image", "k1", RunOutcome.Degraded, B, "sandbox-image", 1, 300, 0.02m,
            Failed(A, "sandbox-image", ErrorClass.Unavailable, 50), Ok(B, "sandbox-image", 200)) with { Preset = "watercolor" },
        Run("r3", "image", "k2", RunOutcome.Degraded, P, null, 2, 500, null,
            Failed(A, "sandbox-image", ErrorClass.RateLimited, 40), Skipped(B, "sandbox-image", SkipReason.CircuitOpen), Ok(P, null, 10)),
        Run("r4", "strict-image", "k2", RunOutcome.Failed, null, null, null, 200, null,
            Failed(A, "sandbox-image", ErrorClass.ContentRejected, 150)) with { ErrorClass = ErrorClass.ContentRejected },
        Run("r5", "text", "k1", RunOutcome.Failed, null, null, null, 5, null) with { ErrorClass = ErrorClass.InvalidRequest },
        Run("r6", "text", "k1", null, null, null, null, null, null, new AttemptFacts(A, "sandbox-text", AttemptStatus.Started, null, null, null)),
        Run("r7", "text", null, RunOutcome.Success, A, "sandbox-text", 0, 2, 0m, Skipped(A, "sandbox-text", SkipReason.CacheHit)) with { CacheHit = true },
    ];

    [Fact]
    public void Compute_Overall_CountsEveryRunAndAttempt()
    {
        var overall = LedgerStatistics.Compute(Facts, StatsGrouping.None).Overall;

        Assert.Null(overall.Group);
        Assert.Equal((7, 1, 2, 2, 2, 6), (overall.Runs, overall.Running, overall.Success, overall.Degraded, overall.Failed, overall.Finished));
        Assert.Equal(2.0 / 6, overall.SuccessRate);
        Assert.Equal(2.0 / 6, overall.DegradedRate);
        Assert.Equal(2.0 / 6, overall.FailedRate);

        // r2 (tier 1) and r3 (tier 2) of the four served runs.
        Assert.Equal(2, overall.FellBack);
        Assert.Equal(0.5, overall.FallbackRate);
        Assert.Equal(1, overall.CacheHits);

        // Finished durations 2, 5, 100, 200, 300, 500: ranks ⌈3⌉ = 3, ⌈5.7⌉ = 6, ⌈5.94⌉ = 6.
        Assert.Equal(new LatencyPercentiles(100, 500, 500), overall.LatencyMs);

        // r4's run class is its attempt's, counted once; r5's invalid_request has no attempt, counted from the run.
        Assert.Equal(
            new Dictionary<ErrorClass, int> { [ErrorClass.RateLimited] = 1, [ErrorClass.ContentRejected] = 1, [ErrorClass.InvalidRequest] = 1, [ErrorClass.Unavailable] = 1 },
            overall.ErrorClasses);
        Assert.Equal(new Dictionary<SkipReason, int> { [SkipReason.CircuitOpen] = 1, [SkipReason.CacheHit] = 1 }, overall.SkipReasons);
        Assert.Equal(0.03m, overall.CostUsd);

        var attempts = overall.Attempts;
        Assert.Equal((9, 3, 3, 2, 1), (attempts.Count, attempts.Success, attempts.Failed, attempts.Skipped, attempts.Started));
        Assert.Equal(3.0 / 9, attempts.SuccessRate);
        Assert.Equal(2.0 / 9, attempts.SkippedRate);

        // Made attempts 10, 40, 50, 90, 150, 200.
        Assert.Equal(new LatencyPercentiles(50, 200, 200), attempts.LatencyMs);
    }

    [Fact]
    public void Compute_None_HasNoGroups()
    {
        var report = LedgerStatistics.Compute(Facts, StatsGrouping.None);

        Assert.Empty(report.Groups);
        Assert.Equal(StatsGrouping.None, report.By);
    }

    [Fact]
    public void Compute_ByRoute_GroupsRunsLargestFirst()
    {
        var groups = LedgerStatistics.Compute(Facts, StatsGrouping.Route).Groups;

        Assert.Equal(["image", "text", "strict-image"], groups.Select(g => g.Group));
        var image = groups[0];
        Assert.Equal((3, 1, 2, 0), (image.Runs, image.Success, image.Degraded, image.Failed));
        Assert.Equal(1.0 / 3, image.SuccessRate);
        Assert.Equal(2.0 / 3, image.FallbackRate);
        Assert.Equal(new LatencyPercentiles(300, 500, 500), image.LatencyMs);
        Assert.Equal(0.03m, image.CostUsd);
        Assert.Equal(new Dictionary<ErrorClass, int> { [ErrorClass.RateLimited] = 1, [ErrorClass.Unavailable] = 1 }, image.ErrorClasses);
        Assert.Equal(new Dictionary<SkipReason, int> { [SkipReason.CircuitOpen] = 1 }, image.SkipReasons);

        var text = groups[1];
        Assert.Equal((3, 1, 1, 0, 1), (text.Runs, text.Running, text.Success, text.Degraded, text.Failed));
        Assert.Equal(0.5, text.SuccessRate);
        Assert.Equal(0.0, text.FallbackRate);
        Assert.Equal(new LatencyPercentiles(2, 5, 5), text.LatencyMs);
        Assert.Equal(0m, text.CostUsd);
        Assert.Equal(new Dictionary<ErrorClass, int> { [ErrorClass.InvalidRequest] = 1 }, text.ErrorClasses);

        var strict = groups[2];
        Assert.Equal((1, 1), (strict.Runs, strict.Failed));
        Assert.Equal(1.0, strict.FailedRate);
        Assert.Null(strict.FallbackRate);
        Assert.Null(strict.CostUsd);
    }

    [Fact]
    public void Compute_ByProvider_CountsRunsTouchedAndOwnAttempts()
    {
        var groups = LedgerStatistics.Compute(Facts, StatsGrouping.Provider).Groups;

        Assert.Equal([A, B, P], groups.Select(g => g.Group));
        var a = groups[0];

        // sandbox-a took part in every run but r5.
        Assert.Equal((6, 1, 2, 2, 1), (a.Runs, a.Running, a.Success, a.Degraded, a.Failed));
        Assert.Equal((6, 1, 3, 1, 1), (a.Attempts.Count, a.Attempts.Success, a.Attempts.Failed, a.Attempts.Skipped, a.Attempts.Started));
        Assert.Equal(0.5, a.Attempts.FailedRate);

        // Its made attempts: 40, 50, 90, 150.
        Assert.Equal(new LatencyPercentiles(50, 150, 150), a.Attempts.LatencyMs);
        Assert.Equal(
            new Dictionary<ErrorClass, int> { [ErrorClass.RateLimited] = 1, [ErrorClass.ContentRejected] = 1, [ErrorClass.Unavailable] = 1 },
            a.ErrorClasses);
        Assert.Equal(new Dictionary<SkipReason, int> { [SkipReason.CacheHit] = 1 }, a.SkipReasons);

        // The runs it served: r1 (0.01) and r7 (0).
        Assert.Equal(0.01m, a.CostUsd);

        var b = groups[1];
        Assert.Equal((2, 1, 1), (b.Attempts.Count, b.Attempts.Success, b.Attempts.Skipped));
        Assert.Empty(b.ErrorClasses);
        Assert.Equal(new Dictionary<SkipReason, int> { [SkipReason.CircuitOpen] = 1 }, b.SkipReasons);
        Assert.Equal(0.02m, b.CostUsd);

        var placeholder = groups[2];
        Assert.Equal((1, 1), (placeholder.Runs, placeholder.Attempts.Success));
        Assert.Null(placeholder.CostUsd);
    }

    [Fact]
    public void Compute_ByModel_NamesProviderAndModel()
    {
        var groups = LedgerStatistics.Compute(Facts, StatsGrouping.Model).Groups;

        Assert.Equal(["sandbox-a/sandbox-image", "sandbox-a/sandbox-text", "sandbox-b/sandbox-image", "placeholder"], groups.Select(g => g.Group));
        Assert.Equal([4, 2, 2, 1], groups.Select(g => g.Runs));
        Assert.Equal(0.01m, groups[0].CostUsd);
        Assert.Equal(0m, groups[1].CostUsd);
    }

    [Fact]
    public void Compute_ByError_GroupsRunsByWhatTheyMet()
    {
        var groups = LedgerStatistics.Compute(Facts, StatsGrouping.Error).Groups;

        Assert.Equal(["content_rejected", "invalid_request", "rate_limited", "unavailable", null], groups.Select(g => g.Group));
        Assert.Equal([1, 1, 1, 1, 3], groups.Select(g => g.Runs));

        // The unavailable first tier was rescued by the second: a degraded run, not a failed one.
        Assert.Equal(1.0, groups[3].DegradedRate);
        Assert.Equal(1.0, groups[0].FailedRate);
    }

    [Fact]
    public void Compute_ByKeyAndPreset_NullGroupLast()
    {
        var keys = LedgerStatistics.Compute(Facts, StatsGrouping.Key).Groups;
        var presets = LedgerStatistics.Compute(Facts, StatsGrouping.Preset).Groups;

        Assert.Equal(["k1", "k2", null], keys.Select(g => g.Group));
        Assert.Equal([4, 2, 1], keys.Select(g => g.Runs));
        Assert.Equal(["watercolor", null], presets.Select(g => g.Group));
        Assert.Equal([1, 6], presets.Select(g => g.Runs));
    }

    [Fact]
    public void Compute_NoRuns_ZeroCountsAndNullRates()
    {
        var report = LedgerStatistics.Compute([], StatsGrouping.Route);

        Assert.Empty(report.Groups);
        Assert.Equal(0, report.Overall.Runs);
        Assert.Null(report.Overall.SuccessRate);
        Assert.Null(report.Overall.FallbackRate);
        Assert.Null(report.Overall.CostUsd);
        Assert.Equal(LatencyPercentiles.Empty, report.Overall.LatencyMs);
        Assert.Null(report.Overall.Attempts.SuccessRate);
    }

    [Theory]
    [InlineData(20, 10, 19, 20)]
    [InlineData(100, 50, 95, 99)]
    [InlineData(1, 1, 1, 1)]
    [InlineData(3, 2, 3, 3)]
    public void Of_OneToN_NearestRank(int n, double p50, double p95, double p99)
    {
        var values = Enumerable.Range(1, n).Select(i => (double)i).Reverse();

        Assert.Equal(new LatencyPercentiles(p50, p95, p99), LatencyPercentiles.Of(values));
    }

    [Theory]
    [InlineData("provider", StatsGrouping.Provider)]
    [InlineData("model", StatsGrouping.Model)]
    [InlineData("route", StatsGrouping.Route)]
    [InlineData("preset", StatsGrouping.Preset)]
    [InlineData("key", StatsGrouping.Key)]
    [InlineData("error", StatsGrouping.Error)]
    public void TryParseGrouping_WireName_RoundTrips(string text, StatsGrouping expected)
    {
        Assert.True(LedgerStatistics.TryParseGrouping(text, out var parsed));
        Assert.Equal(expected, parsed);
        Assert.Equal(text, parsed.ToWire());
    }

    [Fact]
    public void TryParseGrouping_Unknown_False()
    {
        Assert.False(LedgerStatistics.TryParseGrouping("Route", out _));
        Assert.False(LedgerStatistics.TryParseGrouping(null, out _));
    }

    private static RunFacts Run(
        string id, string route, string? key, RunOutcome? outcome, string? servedBy, string? servedModel, int? tier, double? durationMs, decimal? cost, params AttemptFacts[] attempts) => new()
    {
        RunId = id,
        Route = route,
        KeyId = key,
        Outcome = outcome,
        ServedProvider = servedBy,
        ServedModel = servedModel,
        ServedTier = tier,
        DurationMs = durationMs,
        CostUsd = cost,
        Attempts = attempts,
    };

    private static AttemptFacts Ok(string provider, string? model, double ms) => new(provider, model, AttemptStatus.Success, null, null, ms);

    private static AttemptFacts Failed(string provider, string model, ErrorClass errorClass, double ms) => new(provider, model, AttemptStatus.Failed, errorClass, null, ms);

    private static AttemptFacts Skipped(string provider, string model, SkipReason reason) => new(provider, model, AttemptStatus.Skipped, null, reason, null);
}
