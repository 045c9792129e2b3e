using System.Globalization;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Questions;

/// <summary>Checks the parameters of <c>runs</c> and <c>stats</c> (API and CLI alike) and names the first bad one.</summary>
internal static class QuestionParameters
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    /// <summary>The default stats window: the last 24 hours.</summary>
    public static readonly TimeSpan DefaultStatsWindow = TimeSpan.FromHours(24);

    private static readonly string Outcomes = string.Join(", ", Enum.GetValues<RunOutcome>().Select(static v => v.ToWire()));
    private static readonly string ErrorClasses = string.Join(", ", Enum.GetValues<ErrorClass>().Select(static v => v.ToWire()));
    private static readonly string SkipReasons = string.Join(", ", Enum.GetValues<SkipReason>().Select(static v => v.ToWire()));
    private static readonly string Groupings = string.Join(", ", Enum.GetValues<StatsGrouping>().Where(static v => v != StatsGrouping.None).Select(static v => v.ToWire()));

    /// <summary>The ledger query for the filters, or the problem with the first bad one. The key filter is taken as given: scoping is the caller's.</summary>
    public static (RunQuery? Query, ParameterProblem? Problem) ParseRuns(RunFilterInput input, DateTimeOffset now)
    {
        RunOutcome? outcome = null;
        if (Present(input.Outcome) is { } outcomeText)
        {
            if (!WireNames.TryParseOutcome(outcomeText, out var parsed))
            {
                return Fail(input.OutcomeParam, $"'{outcomeText}' is not a run outcome; use one of {Outcomes}.");
            }

            outcome = parsed;
        }

        ErrorClass? errorClass = null;
        if (Present(input.ErrorClass) is { } errorText)
        {
            if (!WireNames.TryParseErrorClass(errorText, out var parsed))
            {
                return Fail("error_class", $"'{errorText}' is not an error class; use one of {ErrorClasses}.");
            }

            errorClass = parsed;
        }

        SkipReason? skipReason = null;
        if (Present(input.SkipReason) is { } skipText)
        {
            if (!WireNames.TryParseSkipReason(skipText, out var parsed))
            {
                return Fail("skip_reason", $"'{skipText}' is not a skip reason; use one of {SkipReasons}.");
            }

            skipReason = parsed;
        }

        var (since, sinceProblem) = ParseTime("since", input.Since, now);
        var (until, untilProblem) = ParseTime("until", input.Until, now);
        if ((sinceProblem ?? untilProblem) is { } timeProblem)
        {
            return (null, timeProblem);
        }

        if (since is not null && until is not null && until <= since)
        {
            return Fail("until", $"until ({until:O}) must be later than since ({since:O}).");
        }

        var limit = DefaultLimit;
        if (Present(input.Limit) is { } limitText
            && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxLimit))
        {
            return Fail("limit", $"'{limitText}' is not a valid limit; use a whole number from 1 to {MaxLimit}.");
        }

        var after = Present(input.After);
        if (after is not null && !after.StartsWith("run_", StringComparison.Ordinal))
        {
            return Fail("after", $"'{after}' is not a run id; pass the next_cursor of the previous page (run_…).");
        }

        return (new RunQuery
        {
            Outcome = outcome,
            ErrorClass = errorClass,
            SkipReason = skipReason,
            Route = Present(input.Route),
            Provider = Present(input.Provider),
            Model = Present(input.Model),
            Preset = Present(input.Preset),
            KeyId = Present(input.Key),
            Since = since,
            Until = until,
            Limit = limit,
            After = after,
        }, null);
    }

    /// <summary>The stats window and grouping (defaults: the last 24 hours, by route), or the problem with the first bad parameter.</summary>
    public static (StatsQuery? Query, StatsGrouping By, ParameterProblem? Problem) ParseStats(string? sinceText, string? untilText, string? byText, DateTimeOffset now)
    {
        var (since, sinceProblem) = ParseTime("since", sinceText, now);
        var (until, untilProblem) = ParseTime("until", untilText, now);
        if ((sinceProblem ?? untilProblem) is { } timeProblem)
        {
            return (null, default, timeProblem);
        }

        var from = since ?? now - DefaultStatsWindow;
        var to = until ?? now;
        if (to <= from)
        {
            return (null, default, new ParameterProblem("until", $"until ({to:O}) must be later than since ({from:O})."));
        }

        var by = StatsGrouping.Route;
        if (Present(byText) is { } grouping && !LedgerStatistics.TryParseGrouping(grouping, out by))
        {
            return (null, default, new ParameterProblem("by", $"'{grouping}' is not a grouping; use one of {Groupings}."));
        }

        return (new StatsQuery { Since = from, Until = to }, by, null);
    }

    private static (DateTimeOffset? Value, ParameterProblem? Problem) ParseTime(string param, string? text, DateTimeOffset now)
    {
        if (Present(text) is not { } value)
        {
            return (null, null);
        }

        return TimePoint.TryParse(value, now, out var point)
            ? (point, null)
            : (null, new ParameterProblem(param, $"'{value}' is not a time; use ISO-8601 (2025-05-01T12:00:00Z) or an age such as 30m, 1h or 7d."));
    }

    private static string? Present(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static (RunQuery?, ParameterProblem?) Fail(string param, string message) => (null, new ParameterProblem(param, message));
}
