using Switchyard.Webhooks;

namespace Switchyard.Hosting;

/// <summary>Runs the <see cref="WebhookDispatcher"/> for the life of the gateway: due deliveries are posted, retried and recorded.</summary>
internal sealed class WebhookDispatcherService : BackgroundService
{
    private readonly WebhookDispatcher _dispatcher;

    public WebhookDispatcherService(WebhookDispatcher dispatcher)
    {
        _dispatcher = dispatcher;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => _dispatcher.RunAsync(stoppingToken);
}
