using StackExchange.Redis;

namespace Switchyard.Redis;

/// <summary>
/// The process's one connection to the shared Redis (multiplexed, reconnecting by itself). Keys and
/// channels it names start with <see cref="Prefix"/>, so one Redis can serve other applications too.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    /// <summary>The prefix of every key and channel Switchyard uses.</summary>
    public const string Prefix = "switchyard:";

    private readonly ConfigurationOptions _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ConnectionMultiplexer? _multiplexer;

    /// <summary>Prepares a connection to <paramref name="url"/> (connected on first use).</summary>
    public RedisConnection(string url)
    {
        _options = RedisUrl.Parse(url);
        Node = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}"[..^24];
    }

    /// <summary>This process's name among the nodes (host, process id and a random part).</summary>
    public string Node { get; }

    /// <summary>The connected multiplexer.</summary>
    public async ValueTask<ConnectionMultiplexer> GetAsync()
    {
        if (_multiplexer is { } ready)
        {
            return ready;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return _multiplexer ??= await ConnectionMultiplexer.ConnectAsync(_options).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The database.</summary>
    public async ValueTask<IDatabase> DatabaseAsync() => (await GetAsync().ConfigureAwait(false)).GetDatabase();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is { } multiplexer)
        {
            await multiplexer.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
