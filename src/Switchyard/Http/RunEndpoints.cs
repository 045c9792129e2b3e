using Switchyard.Questions;

namespace Switchyard.Http;

/// <summary>
/// <c>GET /v1/runs</c>, <c>GET /v1/runs/{id}</c> and <c>GET /v1/stats</c>: the ledger, scoped to the caller's key
/// (admin keys see all runs and may filter by <c>key</c>).
/// </summary>
internal static class RunEndpoints
{
    public static void MapRunEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs", ListAsync);
        v1.MapGet("/runs/{id}", GetAsync);
        v1.MapGet("/stats", StatsAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, LedgerQuestions questions, TimeProvider time)
    {
        var query = http.Request.Query;
        var input = new RunFilterInput
        {
            OutcomeParam = query.ContainsKey("outcome") || !query.ContainsKey("status") ? "outcome" : "status",
            Outcome = Single(query, "outcome") ?? Single(query, "status"),
            ErrorClass = Single(query, "error_class"),
            SkipReason = Single(query, "skip_reason"),
            Route = Single(query, "route"),
            Provider = Single(query, "provider"),
            Model = Single(query, "model"),
            Preset = Single(query, "preset"),
            Key = Single(query, "key"),
            Since = Single(query, "since"),
            Until = Single(query, "until"),
            Limit = Single(query, "limit"),
            After = Single(query, "after"),
        };
        var (parsed, problem) = QuestionParameters.ParseRuns(input, time.GetUtcNow());
        if (problem is not null)
        {
            return BadParameter(problem);
        }

        var (keyId, forbidden) = Scope(CallerKey.From(http), parsed!.KeyId);
        if (forbidden is not null)
        {
            return forbidden;
        }

        var page = await questions.ListAsync(parsed with { KeyId = keyId }, http.RequestAborted);
        return Results.Json(page, QuestionsJsonContext.Wire.RunListView);
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, LedgerQuestions questions)
    {
        var caller = CallerKey.From(http);
        var run = await questions.ShowAsync(id, caller.IsAdmin ? null : caller.Id, http.RequestAborted);
        return run is null
            ? ErrorResults.Error(404, new ErrorBody($"No run '{id}'.", "invalid_request_error", "id", "run_not_found"), null)
            : Results.Json(run, QuestionsJsonContext.Wire.RunView);
    }

    private static async Task<IResult> StatsAsync(HttpContext http, LedgerQuestions questions, TimeProvider time)
    {
        var query = http.Request.Query;
        var (parsed, by, problem) = QuestionParameters.ParseStats(Single(query, "since"), Single(query, "until"), Single(query, "by"), time.GetUtcNow());
        if (problem is not null)
        {
            return BadParameter(problem);
        }

        var (keyId, forbidden) = Scope(CallerKey.From(http), Single(query, "key"));
        if (forbidden is not null)
        {
            return forbidden;
        }

        var stats = await questions.StatsAsync(parsed! with { KeyId = keyId }, by, http.RequestAborted);
        return Results.Json(stats, QuestionsJsonContext.Wire.StatsView);
    }

    /// <summary>Which key's runs the caller may see: an admin any (or all), everyone else only their own.</summary>
    private static (string? KeyId, IResult? Forbidden) Scope(CallerKey caller, string? requested)
    {
        if (caller.IsAdmin)
        {
            return (string.IsNullOrWhiteSpace(requested) ? null : requested.Trim(), null);
        }

        if (!string.IsNullOrWhiteSpace(requested) && !string.Equals(requested.Trim(), caller.Id, StringComparison.Ordinal))
        {
            return (null, ErrorResults.Error(
                403,
                new ErrorBody($"Only an admin key can see another key's runs; this key ({caller.Id}) sees its own runs, with or without 'key'.", "invalid_request_error", "key", "key_not_allowed"),
                null));
        }

        return (caller.Id, null);
    }

    private static IResult BadParameter(ParameterProblem problem) =>
        ErrorResults.Error(400, new ErrorBody($"Invalid query parameter '{problem.Param}': {problem.Message}", "invalid_request_error", problem.Param, "invalid_value"), null);

    /// <summary>The parameter's value; a parameter given twice is ambiguous and read as its first value.</summary>
    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;
}
