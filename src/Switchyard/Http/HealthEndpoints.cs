using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Keys;
using Switchyard.Ledger;
using Switchyard.Resilience;
using Switchyard.Routing;

namespace Switchyard.Http;

/// <summary><c>/healthz</c> (the process is alive) and <c>/readyz</c> (database and artifact storage reachable, the ledger's queue not full, every route has a usable provider).</summary>
internal static class HealthEndpoints
{
    public static void MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", ReadyAsync);
    }

    /// <summary>How long the storage probe may take before the node is reported not ready.</summary>
    private static readonly TimeSpan StorageProbeTimeout = TimeSpan.FromSeconds(5);

    private static async Task<IResult> ReadyAsync(HttpContext http, SwitchyardConfig config, ProviderRegistry providers, ProviderHealth health, ProviderPipelines pipelines, IKeyStore keys, IArtifactStore artifacts, ILedger ledger)
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

        // The ledger's queue: a full one makes every request wait for the database, so the node is not ready.
        if (ledger is BufferedLedger buffered)
        {
            var (ledgerReady, status) = buffered.Health();
            checks["ledger"] = status;
            ready &= ledgerReady;
        }

        // A read of an id that cannot exist: a miss means the store answers (an S3 bucket, the folder), an error that it does not.
        using (var probe = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted))
        {
            probe.CancelAfter(StorageProbeTimeout);
            try
            {
                await artifacts.GetInfoAsync(ArtifactIds.New(), probe.Token);
                checks["storage"] = "ok";
            }
            catch (Exception ex) when (!http.RequestAborted.IsCancellationRequested)
            {
                checks["storage"] = ex is OperationCanceledException ? $"fail: no answer within {StorageProbeTimeout.TotalSeconds:0}s" : "fail: " + ex.Message;
                ready = false;
            }
        }

        foreach (var provider in providers.All.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var circuit = pipelines.CircuitState(provider.Name);
            checks[$"provider:{provider.Name}"] = health.Problem(provider) is { } problem
                ? $"misconfigured: {problem}"
                : circuit == "closed" ? "ok" : $"circuit {circuit}";
        }

        foreach (var route in config.Routes.Values)
        {
            var tiers = route.Chain.Select(s => providers.Get(s.Provider)).ToList();
            var usable = tiers.Where(p => health.Problem(p) is null).Select(p => p.Name).Distinct().ToList();
            var problems = tiers.Where(p => health.Problem(p) is not null).Select(p => $"{p.Name}: {health.Problem(p)}");
            checks[$"route:{route.Name}"] = usable.Count > 0 ? $"ok ({string.Join(", ", usable)})" : "fail: no usable provider; " + string.Join("; ", problems);
            ready &= usable.Count > 0;
        }

        return Results.Json(new Dictionary<string, object> { ["status"] = ready ? "ready" : "not_ready", ["checks"] = checks }, statusCode: ready ? 200 : 503);
    }
}
