namespace Switchyard.Resilience;

/// <summary>
/// Shares circuit openings between gateway processes: a circuit opened by one node's failures is
/// published, and every other node keeps that provider's circuit open until the same moment. Without
/// one (a single node), circuits are per process.
/// </summary>
public interface ICircuitBroadcast
{
    /// <summary>Tells the other nodes that this node opened <paramref name="provider"/>'s circuit until <paramref name="until"/>.</summary>
    ValueTask PublishOpenedAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Calls <paramref name="onOpened"/> for every opening published by another node from now on, and
    /// for those published earlier that are still open. Dispose the result to stop.
    /// </summary>
    ValueTask<IAsyncDisposable> SubscribeAsync(Func<CircuitOpening, ValueTask> onOpened, CancellationToken cancellationToken);
}

/// <summary>A circuit opened by another node.</summary>
/// <param name="Provider">The provider.</param>
/// <param name="Until">When its break ends.</param>
/// <param name="Node">The node that opened it.</param>
public sealed record CircuitOpening(string Provider, DateTimeOffset Until, string Node);
