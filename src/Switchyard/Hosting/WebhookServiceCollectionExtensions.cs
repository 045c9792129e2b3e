using Switchyard.Configuration;
using Switchyard.Outbound;
using Switchyard.Telemetry;
using Switchyard.Webhooks;

namespace Switchyard.Hosting;

/// <summary>Registers the webhook outbox and its dispatcher (the stores and <see cref="WebhookSecrets"/> come with the storage).</summary>
internal static class WebhookServiceCollectionExtensions
{
    private const string ClientKey = "webhooks";

    /// <summary>
    /// <see cref="IWebhookOutbox"/> (a <see cref="WebhookOutbox"/> that wakes the dispatcher on each enqueue), the
    /// <see cref="WebhookDispatcher"/> with an SSRF-guarded client of its own, and the background service that runs it.
    /// </summary>
    public static IServiceCollection AddSwitchyardWebhooks(this IServiceCollection services, SwitchyardConfig config)
    {
        // The per-try timeout is measured on the gateway's clock; the client's own is a backstop a little later.
        services.AddKeyedSingleton(ClientKey, (_, _) => new OutboundClient(config.Outbound, config.Webhooks.Timeout + TimeSpan.FromSeconds(5)));
        services.AddSingleton(sp => new WebhookDispatcher(
            sp.GetRequiredService<IWebhookDeliveryStore>(),
            sp.GetRequiredService<WebhookSecrets>(),
            sp.GetRequiredKeyedService<OutboundClient>(ClientKey),
            config.Webhooks,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<SwitchyardTelemetry>(),
            sp.GetRequiredService<ILogger<WebhookDispatcher>>()));
        services.AddSingleton<IWebhookOutbox>(sp =>
        {
            var dispatcher = sp.GetRequiredService<WebhookDispatcher>();
            return new WebhookOutbox(sp.GetRequiredService<IWebhookDeliveryStore>(), sp.GetRequiredService<WebhookSecrets>(), sp.GetRequiredService<TimeProvider>(), dispatcher.Notify);
        });
        services.AddHostedService<WebhookDispatcherService>();
        return services;
    }
}
