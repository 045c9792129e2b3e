using Switchyard.Ledger;

namespace Switchyard.Http;

/// <summary><c>GET /v1/runs</c> and <c>GET /v1/runs/{id}</c>: the ledger, scoped to the caller's key (admin keys see all).</summary>
internal static class RunEndpoints
{
    public static void MapRunEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/runs", ListAsync);
        v1.MapGet("/runs/{id}", GetAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext http, ILedger ledger, int? limit)
    {
        var caller = CallerKey.From(http);
        var runs = await ledger.ListRunsAsync(new RunQuery { KeyId = caller.IsAdmin ? null : caller.Id, Limit = Math.Clamp(limit ?? 50, 1, 500) }, http.RequestAborted);
        return Results.Json(new { @object = "list", data = runs.Select(RunView.From) });
    }

    private static async Task<IResult> GetAsync(string id, HttpContext http, ILedger ledger)
    {
        var caller = CallerKey.From(http);
        var run = await ledger.GetRunAsync(id, http.RequestAborted);
        if (run is null || (!caller.IsAdmin && run.KeyId != caller.Id))
        {
            return ErrorResults.Error(404, new ErrorBody($"No run '{id}'.", "invalid_request_error", "id", "run_not_found"), null);
        }

        var attempts = await ledger.GetAttemptsAsync(id, http.RequestAborted);
        return Results.Json(RunView.From(run) with { Attempts = attempts.Select(AttemptView.From).ToList() });
    }
}
