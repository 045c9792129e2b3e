using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Polly.CircuitBreaker;
using Switchyard.Configuration;
using Switchyard.Resilience;

namespace Switchyard.Redis.Tests;

/// <summary>Circuit openings shared through a real Redis.</summary>
public sealed class RedisCircuitBroadcastTests
{
    private static readonly TimeSpan Delivery = TimeSpan.FromSeconds(1);

    private static FakeTimeProvider Clock() => new(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task PublishedOnOneNode_ReachesTheOthersWithinASecond_NotItself()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        var time = Clock();
        await using var a = new RedisConnection(url);
        await using var b = new RedisConnection(url);
        var seenByA = Channel.CreateUnbounded<CircuitOpening>();
        var seenByB = Channel.CreateUnbounded<CircuitOpening>();
        await using var subA = await new RedisCircuitBroadcast(a, time).SubscribeAsync(o => seenByA.Writer.WriteAsync(o), ct);
        await using var subB = await new RedisCircuitBroadcast(b, time).SubscribeAsync(o => seenByB.Writer.WriteAsync(o), ct);
        var provider = "p" + Guid.NewGuid().ToString("N");
        var until = time.GetUtcNow() + TimeSpan.FromSeconds(30);

        await new RedisCircuitBroadcast(a, time).PublishOpenedAsync(provider, until, ct);

        var opening = await ReadWithinAsync(seenByB, provider, ct);
        Assert.Equal((provider, until, a.Node), (opening.Provider, opening.Until, opening.Node));
        await new RedisCircuitBroadcast(b, time).PublishOpenedAsync("marker" + provider, until, ct);
        var next = await ReadWithinAsync(seenByA, "marker" + provider, ct);
        Assert.Equal(b.Node, next.Node); // A saw B's marker but never its own opening first
    }

    [Fact]
    public async Task NodeJoiningLater_SeesAnOpeningStillInForce()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        var time = Clock();
        await using var a = new RedisConnection(url);
        await using var late = new RedisConnection(url);
        var provider = "p" + Guid.NewGuid().ToString("N");
        await new RedisCircuitBroadcast(a, time).PublishOpenedAsync(provider, time.GetUtcNow() + TimeSpan.FromSeconds(30), ct);

        var seen = Channel.CreateUnbounded<CircuitOpening>();
        await using var sub = await new RedisCircuitBroadcast(late, time).SubscribeAsync(o => seen.Writer.WriteAsync(o), ct);

        Assert.Equal(a.Node, (await ReadWithinAsync(seen, provider, ct)).Node);
    }

    [Fact]
    public async Task PipelinesOnTwoNodes_FailuresOnAOpenTheCircuitOnB()
    {
        var ct = TestContext.Current.CancellationToken;
        var url = await RedisServer.GetUrlAsync();
        var provider = "p" + Guid.NewGuid().ToString("N")[..8];
        var config = Config(provider);
        var time = Clock();
        await using var a = new RedisConnection(url);
        await using var b = new RedisConnection(url);
        using var nodeA = new ProviderPipelines(config, time, NullLogger<ProviderPipelines>.Instance, broadcast: new RedisCircuitBroadcast(a, time));
        using var nodeB = new ProviderPipelines(config, time, NullLogger<ProviderPipelines>.Instance, broadcast: new RedisCircuitBroadcast(b, time));
        await using var joinA = await nodeA.JoinAsync(ct);
        await using var joinB = await nodeB.JoinAsync(ct);

        for (var i = 0; i < 2; i++)
        {
            await nodeA.For(provider).ExecuteAsync(static _ => ValueTask.FromResult<ITryOutcome>(new Failing()), ct);
        }

        Assert.Equal("open", nodeA.CircuitState(provider));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Delivery);
        while (nodeB.CircuitState(provider) != "open")
        {
            await Task.Delay(10, deadline.Token);
        }

        await Assert.ThrowsAnyAsync<BrokenCircuitException>(async () =>
            await nodeB.For(provider).ExecuteAsync(static _ => ValueTask.FromResult<ITryOutcome>(new Failing()), ct));
    }

    private static SwitchyardConfig Config(string provider) => new()
    {
        Storage = new StorageConfig { Database = "sqlite:x", Artifacts = "file:x" },
        Server = new ServerConfig(),
        Providers = new Dictionary<string, ProviderConfig>
        {
            [provider] = new()
            {
                Name = provider,
                Type = "sandbox",
                Timeout = TimeSpan.FromSeconds(5),
                TotalTimeout = TimeSpan.FromSeconds(60),
                Retry = new RetryConfig { MaxAttempts = 1 },
                CircuitBreaker = new CircuitBreakerConfig { FailureRatio = 0.5, MinimumThroughput = 2, Sampling = TimeSpan.FromSeconds(30), Break = TimeSpan.FromSeconds(30) },
            },
        },
        Routes = new Dictionary<string, RouteConfig>(),
        Presets = new Dictionary<string, PresetConfig>(),
        Outbound = new OutboundConfig(),
    };

    private static async Task<CircuitOpening> ReadWithinAsync(Channel<CircuitOpening> channel, string provider, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(Delivery);
        while (true)
        {
            var opening = await channel.Reader.ReadAsync(deadline.Token);
            if (opening.Provider == provider)
            {
                return opening;
            }
        }
    }

    private sealed class Failing : ITryOutcome
    {
        public Switchyard.Generation.ProviderFailure? Failure { get; } = new() { Class = Switchyard.Generation.ErrorClass.Unavailable, Message = "simulated 503" };
    }
}
