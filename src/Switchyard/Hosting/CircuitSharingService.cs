using System.Runtime.CompilerServices;
using Switchyard.Resilience;

namespace Switchyard.Hosting;

/// <summary>
/// Joins the circuit openings of the other nodes (through Redis, when <c>storage.redis</c> is set)
/// for as long as the gateway runs. A Redis that is down at start-up is logged, not fatal: circuits
/// then stay per node, and doctor names the cause.
/// </summary>
internal sealed partial class CircuitSharingService : IHostedService
{
    private readonly ProviderPipelines _pipelines;
    private readonly ILogger<CircuitSharingService> _logger;
    private IAsyncDisposable? _subscription;

    public CircuitSharingService(ProviderPipelines pipelines, ILogger<CircuitSharingService> logger)
    {
        _pipelines = pipelines;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _subscription = await _pipelines.JoinAsync(cancellationToken);
        }
        catch (Exception ex) when (IsRedisUnavailable(ex))
        {
            Log.JoinFailed(_logger, ex.Message);
        }
    }

    // Out of StartAsync so that compiling it does not load the Redis client into a node that has no Redis: the filter
    // runs only when joining threw, which a node without Redis never does.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static bool IsRedisUnavailable(Exception ex) => ex is StackExchange.Redis.RedisException or TimeoutException;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_subscription is { } subscription)
        {
            await subscription.DisposeAsync();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 901, EventName = "CircuitSharingUnavailable", Level = LogLevel.Warning, Message = "Could not join the shared circuits in Redis ({Reason}); this node's circuits are its own until restart")]
        public static partial void JoinFailed(ILogger logger, string reason);
    }
}
