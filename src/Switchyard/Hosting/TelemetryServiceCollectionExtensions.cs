using System.Diagnostics.Metrics;
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
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(config.Telemetry.ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(SwitchyardTelemetry.Name)
                    .AddAspNetCoreInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddPrometheusExporter()
                    .AddView(CardinalityOf);
                if (config.Telemetry.OtlpEndpoint is { } endpoint)
                {
                    metrics.AddOtlpExporter(o => o.Endpoint = endpoint);
                }
            });

        // Spans only go somewhere over OTLP: without an endpoint nothing listens, so none are built (the request's
        // trace id, from its traceparent or the host's activity, is still recorded with the run and in the logs).
        if (config.Telemetry.OtlpEndpoint is { } traces)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(SwitchyardTelemetry.Name)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics") && !http.Request.Path.StartsWithSegments("/healthz"))
                .AddHttpClientInstrumentation()
                .AddOtlpExporter(o => o.Endpoint = traces));
        }

        return services;
    }

    // Every metric stream preallocates room for its cardinality limit (2,000 points of 72 bytes by default): about 7 MB
    // for the ~50 streams here. The gateway's own metrics keep the default (route x provider x outcome can be large);
    // ASP.NET Core's (route x method x status) get 1,000 and the runtime's, with a handful of tag values, 100.
    private static MetricStreamConfiguration? CardinalityOf(Instrument instrument) => instrument.Meter.Name switch
    {
        SwitchyardTelemetry.Name => null,
        var meter when meter.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) => new MetricStreamConfiguration { CardinalityLimit = 1000 },
        _ => new MetricStreamConfiguration { CardinalityLimit = 100 },
    };

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
