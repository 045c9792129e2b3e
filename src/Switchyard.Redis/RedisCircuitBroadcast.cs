using System.Globalization;
using StackExchange.Redis;
using Switchyard.Resilience;

namespace Switchyard.Redis;

/// <summary>
/// Shares circuit openings through Redis: an opening is written as a key that expires when the break
/// ends (so a node that starts later still sees it) and published on a channel (so running nodes see
/// it within milliseconds). A node ignores its own messages.
/// </summary>
public sealed class RedisCircuitBroadcast : ICircuitBroadcast
{
    private const string KeyPrefix = RedisConnection.Prefix + "circuit:";
    private static readonly RedisChannel Channel = RedisChannel.Literal(RedisConnection.Prefix + "circuits");

    private readonly RedisConnection _connection;
    private readonly TimeProvider _time;

    /// <summary>Uses <paramref name="connection"/>; <paramref name="time"/> sets how long an opening's key lives.</summary>
    public RedisCircuitBroadcast(RedisConnection connection, TimeProvider time)
    {
        _connection = connection;
        _time = time;
    }

    /// <inheritdoc />
    public async ValueTask PublishOpenedAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken)
    {
        var multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        var message = Format(provider, until, _connection.Node);
        var left = until - _time.GetUtcNow();
        if (left > TimeSpan.Zero)
        {
            // The key is for nodes that subscribe later; it expires when the break ends.
            await multiplexer.GetDatabase().StringSetAsync(KeyPrefix + provider, message, left).ConfigureAwait(false);
        }

        await multiplexer.GetSubscriber().PublishAsync(Channel, message).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IAsyncDisposable> SubscribeAsync(Func<CircuitOpening, ValueTask> onOpened, CancellationToken cancellationToken)
    {
        var multiplexer = await _connection.GetAsync().ConfigureAwait(false);
        var subscriber = multiplexer.GetSubscriber();
        var queue = await subscriber.SubscribeAsync(Channel).ConfigureAwait(false);
        queue.OnMessage(async message =>
        {
            if (Parse(message.Message) is { } opening && opening.Node != _connection.Node)
            {
                await onOpened(opening).ConfigureAwait(false);
            }
        });

        // Openings published before this node subscribed, still in force.
        foreach (var server in multiplexer.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: KeyPrefix + "*").WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                if (Parse(await multiplexer.GetDatabase().StringGetAsync(key).ConfigureAwait(false)) is { } opening && opening.Node != _connection.Node)
                {
                    await onOpened(opening).ConfigureAwait(false);
                }
            }
        }

        return new Subscription(queue);
    }

    private static string Format(string provider, DateTimeOffset until, string node) =>
        string.Create(CultureInfo.InvariantCulture, $"{until.ToUnixTimeMilliseconds()}|{node}|{provider}");

    private static CircuitOpening? Parse(RedisValue value)
    {
        if (value.IsNullOrEmpty)
        {
            return null;
        }

        var parts = value.ToString().Split('|', 3);
        return parts.Length == 3 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ms)
            ? new CircuitOpening(parts[2], DateTimeOffset.FromUnixTimeMilliseconds(ms), parts[1])
            : null;
    }

    private sealed class Subscription(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync().ConfigureAwait(false);
    }
}
