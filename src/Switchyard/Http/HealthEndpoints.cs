using Switchyard.Configuration;
using Switchyard.Keys;
using Switchyard.Routing;

namespace Switchyard.Http;

/// <summary><c>/healthz</c> (the process is alive) and <c>/readyz</c> (database reachable, every route has a usable provider).</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
    }

    private static async Task<IResult> ReadyAsync(HttpContext http, SwitchyardConfig config, ProviderRegistry providers, IKeyStore keys)
    {
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        var ready = true;
        try
        {
            await keys.ListAsync(http.RequestAborted);
            checks["database"] = "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            checks["database"] = "fail: " + ex.Message;
            ready = false;
        }

        foreach (var route in config.Routes.Values)
        {
            var usable = route.Chain.Select(s => providers.Get(s.Provider)).Where(p => p.Readiness.IsReady).Select(p => p.Name).ToList();
            var problems = route.Chain.Select(s => providers.Get(s.Provider)).Where(p => !p.Readiness.IsReady).Select(p => $"{p.Name}: {p.Readiness.Problem}");
            checks[$"route:{route.Name}"] = usable.Count > 0 ? $"ok ({string.Join(", ", usable)})" : "fail: no usable provider; " + string.Join("; ", problems);
            ready &= usable.Count > 0;
        }

        return Results.Json(new Dictionary<string, object> { ["status"] = ready ? "ready" : "not_ready", ["checks"] = checks }, statusCode: ready ? 200 : 503);
    }
}
