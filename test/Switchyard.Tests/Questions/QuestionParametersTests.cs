using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Questions;

namespace Switchyard.Tests.Questions;

/// <summary>How the runs and stats parameters are read, the same for the API and the CLI.</summary>
public sealed class QuestionParametersTests
{
    private static readonly DateTimeOffset Now = new(2025, 5, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("30m", 30)]
    [InlineData("1h", 60)]
    [InlineData("1.5h", 90)]
    [InlineData("7d", 7 * 24 * 60)]
    [InlineData(" 2h ", 120)]
    public void TryParse_Age_ThatLongBeforeNow(string text, int minutes)
    {
        Assert.True(TimePoint.TryParse(text, Now, out var at));
        Assert.Equal(Now.AddMinutes(-minutes), at);
    }

    [Theory]
    [InlineData("2025-04-30T08:00:00Z", "2025-04-30T08:00:00+00:00")]
    [InlineData("2025-04-30T10:00:00+02:00", "2025-04-30T08:00:00+00:00")]
    [InlineData("2025-04-30", "2025-04-30T00:00:00+00:00")]
    public void TryParse_Iso8601_ThatInstantUtcWhenUnzoned(string text, string expected)
    {
        Assert.True(TimePoint.TryParse(text, Now, out var at));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("yesterday")]
    [InlineData("-1h")]
    [InlineData("1 hour")]
    public void TryParse_Neither_False(string text)
    {
        Assert.False(TimePoint.TryParse(text, Now, out _));
    }

    [Fact]
    public void ParseRuns_Nothing_DefaultLimitNoFilters()
    {
        var (query, problem) = QuestionParameters.ParseRuns(new RunFilterInput(), Now);

        Assert.Null(problem);
        Assert.Equal(new RunQuery { Limit = QuestionParameters.DefaultLimit }, query);
    }

    [Fact]
    public void ParseRuns_Everything_EveryFilterSet()
    {
        var (query, problem) = QuestionParameters.ParseRuns(
            new RunFilterInput
            {
                Outcome = "degraded", ErrorClass = "rate_limited", SkipReason = "circuit_open", Route = "image", Provider = "openai", Model = "dall-e-3",
                Preset = "watercolor", Key = "key_x", Since = "2h", Until = "1h", Limit = "500", After = "run_1",
            },
            Now);

        Assert.Null(problem);
        Assert.Equal(
            new RunQuery
            {
                Outcome = RunOutcome.Degraded, ErrorClass = ErrorClass.RateLimited, SkipReason = SkipReason.CircuitOpen, Route = "image", Provider = "openai",
                Model = "dall-e-3", Preset = "watercolor", KeyId = "key_x", Since = Now.AddHours(-2), Until = Now.AddHours(-1), Limit = 500, After = "run_1",
            },
            query);
    }

    [Fact]
    public void ParseRuns_BadOutcomeUnderStatus_NamesStatus()
    {
        var (_, problem) = QuestionParameters.ParseRuns(new RunFilterInput { OutcomeParam = "status", Outcome = "ok" }, Now);

        Assert.Equal("status", problem?.Param);
        Assert.Contains("success, degraded, failed", problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseStats_Nothing_Last24HoursByRoute()
    {
        var (query, by, problem) = QuestionParameters.ParseStats(null, null, null, Now);

        Assert.Null(problem);
        Assert.Equal(StatsGrouping.Route, by);
        Assert.Equal(new StatsQuery { Since = Now.AddHours(-24), Until = Now }, query);
    }
}
