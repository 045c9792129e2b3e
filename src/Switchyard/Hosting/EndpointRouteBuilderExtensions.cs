using Switchyard.Http;
using Switchyard.Ui;

namespace Switchyard.Hosting;

/// <summary>Maps every endpoint of the gateway.</summary>
internal static class EndpointRouteBuilderExtensions
{
    public static void MapSwitchyardEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler(error => error.Run(async http =>
        {
            // Unexpected faults still answer in the OpenAI error shape, without internals.
            var result = ErrorResults.Error(500, new ErrorBody("The gateway met an internal error; the run id (if any) names it in the ledger.", "server_error", null, "internal_error"), http.Response.Headers["x-switchyard-run-id"].ToString() is { Length: > 0 } id ? id : null);
            await result.ExecuteAsync(http);
        }));
        app.UseStatusCodePages(async status =>
        {
            var http = status.HttpContext;
            if (http.Response.StatusCode == 404 && !http.Response.HasStarted)
            {
                await ErrorResults.Error(404, new ErrorBody($"No endpoint {http.Request.Method} {http.Request.Path}.", "invalid_request_error", null, "unknown_url"), null).ExecuteAsync(http);
            }
            else if (http.Response.StatusCode == 405 && !http.Response.HasStarted)
            {
                await ErrorResults.Error(405, new ErrorBody($"{http.Request.Method} is not allowed on {http.Request.Path}.", "invalid_request_error", null, "method_not_allowed"), null).ExecuteAsync(http);
            }
        });

        app.MapSwitchyardMetrics();
        app.MapHealthEndpoints();
        app.MapArtifactEndpoints();
        var v1 = app.MapGenerationEndpoints();
        v1.MapRunEndpoints();
        v1.MapAlertEndpoints();
        v1.MapWebhookEndpoints();
        app.MapDashboard();
        v1.MapJobEndpoints();
    }
}
