using Switchyard.Http;
using Switchyard.Ui;

namespace Switchyard.Hosting;

/// <summary>Maps every endpoint of the gateway.</summary>
internal static class EndpointRouteBuilderExtensions
{
    public static void MapSwitchyardEndpoints(this WebApplication app)
    {
        app.UseMiddleware<ErrorBodyMiddleware>();

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
