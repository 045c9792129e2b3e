using Switchyard.Alerts;
using Switchyard.Configuration;

namespace Switchyard.Hosting;

/// <summary>Evaluates the alert rules every <c>alerts.evaluate_every</c>, on the gateway's clock.</summary>
internal sealed class AlertWorker : BackgroundService
{
    private readonly AlertMonitor _monitor;
    private readonly AlertsConfig _config;
    private readonly TimeProvider _time;

    public AlertWorker(AlertMonitor monitor, SwitchyardConfig config, TimeProvider time)
    {
        _monitor = monitor;
        _config = config.Alerts;
        _time = time;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_config.EvaluateEvery, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await _monitor.TickAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }
}
