using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Switchyard.Configuration;
using Switchyard.Http;
using Switchyard.Telemetry;

namespace Switchyard.Hosting;

/// <summary>OpenTelemetry: the gateway's spans and metrics, ASP.NET Core and HttpClient instrumentation, Prometheus at /metrics, OTLP by config.</summary>
internal static class TelemetryServiceCollectionExtensions
{
    public static IServiceCollection AddSwitchyardTelemetry(this IServiceCollection services, SwitchyardConfig config)
    {
        services.AddSingleton(sp => new SwitchyardTelemetry(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config.Telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SwitchyardTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter();
                if (config.Telemetry.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(SwitchyardTelemetry.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/healthz"))
                    .AddHttpClientInstrumentation();
                if (config.Telemetry.OtlpEndpoint is { } endpoint)
                {
                    tracing.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            });
        return services;
    }

    /// <summary>Serves Prometheus metrics at <c>/metrics</c> to admin keys.</summary>
    public static void MapSwitchyardMetrics(this WebApplication app)
    {
        app.UseWhen(
            http => http.Request.Path.StartsWithSegments("/metrics"),
            branch => branch.Use(async (http, next) =>
            {
                var filter = http.RequestServices.GetRequiredService<ApiKeyFilter>();
                if (await filter.AuthenticateAsync(http) is { } denied)
                {
                    await denied.ExecuteAsync(http);
                    return;
                }

                if (!CallerKey.From(http).IsAdmin)
                {
                    await ErrorResults.Error(403, new ErrorBody("/metrics needs an admin key.", "invalid_request_error", null, "admin_required"), null).ExecuteAsync(http);
                    return;
                }

                await next(http);
            }));
        app.MapPrometheusScrapingEndpoint("/metrics");
    }
}
