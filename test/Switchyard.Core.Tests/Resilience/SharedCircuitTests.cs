using Switchyard.Configuration;
using Switchyard.Core.Tests.Fakes;
using Switchyard.Generation;
using Switchyard.Resilience;

namespace Switchyard.Core.Tests.Resilience;

/// <summary>Circuits shared between nodes: one node's opening holds the circuit open on the others until its break ends.</summary>
public sealed class SharedCircuitTests
{
    private static readonly CircuitBreakerConfig Breaker = new() { FailureRatio = 0.5, MinimumThroughput = 4, Sampling = TimeSpan.FromSeconds(30), Break = TimeSpan.FromSeconds(20) };

    private static ProviderFailure Unavailable => new() { Class = ErrorClass.Unavailable, Message = "simulated 503" };

    private static EngineHarness Node(CircuitHub hub, string node, params ScriptedProvider[] providers) =>
        new(hub.For(node), ContentRejectedAction.Next, c => c with { CircuitBreaker = Breaker }, r => r, providers);

    [Fact]
    public async Task OpenedOnNodeA_SkippedAsCircuitOpenOnNodeB_UntilTheBreakEnds()
    {
        var ct = TestContext.Current.CancellationToken;
        var hub = new CircuitHub();
        var aOnNodeA = new ScriptedProvider("a").Times(4, Unavailable);
        var nodeA = Node(hub, "A", aOnNodeA, new ScriptedProvider("b"));
        var aOnNodeB = new ScriptedProvider("a");
        var nodeB = Node(hub, "B", aOnNodeB, new ScriptedProvider("b"));
        await using var joinA = await nodeA.Pipelines.JoinAsync(ct);
        await using var joinB = await nodeB.Pipelines.JoinAsync(ct);

        for (var i = 0; i < 4; i++)
        {
            await nodeA.RunImageAsync($"run_a{i}", ct);
        }

        Assert.Equal("open", nodeA.Pipelines.CircuitState("a"));
        Assert.Equal("open", nodeB.Pipelines.CircuitState("a"));
        var opening = Assert.Single(hub.Published);
        Assert.Equal(("a", "A", nodeA.Time.GetUtcNow() + Breaker.Break), (opening.Provider, opening.Node, opening.Until));

        var skipped = await nodeB.RunImageAsync("run_b1", ct);
        Assert.Equal(0, aOnNodeB.Calls);
        Assert.Equal("b", skipped.Run.ServedProvider);
        var attempts = await nodeB.Ledger.GetAttemptsAsync("run_b1", ct);
        Assert.Equal((AttemptStatus.Skipped, SkipReason.CircuitOpen), (attempts[0].Status, attempts[0].SkipReason));

        nodeB.Time.Advance(Breaker.Break - TimeSpan.FromSeconds(1));
        Assert.Equal("open", nodeB.Pipelines.CircuitState("a"));
        nodeB.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("closed", nodeB.Pipelines.CircuitState("a"));

        var served = await nodeB.RunImageAsync("run_b2", ct);
        Assert.Equal("a", served.Run.ServedProvider);
        Assert.Equal(["open", "closed"], nodeB.Pipelines.Transitions.Select(t => t.State));
        Assert.Single(hub.Published); // node B's held-open circuit is not published again
    }

    [Fact]
    public async Task OpeningAlreadyOver_WhenItArrives_IsIgnored()
    {
        var ct = TestContext.Current.CancellationToken;
        var hub = new CircuitHub();
        var node = Node(hub, "B", new ScriptedProvider("a"));
        await using var join = await node.Pipelines.JoinAsync(ct);

        await hub.For("A").PublishOpenedAsync("a", node.Time.GetUtcNow() - TimeSpan.FromSeconds(1), ct);
        await hub.For("A").PublishOpenedAsync("unknown-provider", node.Time.GetUtcNow() + TimeSpan.FromSeconds(30), ct);

        Assert.Equal("closed", node.Pipelines.CircuitState("a"));
        Assert.Empty(node.Pipelines.Transitions);
    }

    [Fact]
    public async Task LongerOpeningArrives_ExtendsTheHold()
    {
        var ct = TestContext.Current.CancellationToken;
        var hub = new CircuitHub();
        var node = Node(hub, "B", new ScriptedProvider("a"));
        await using var join = await node.Pipelines.JoinAsync(ct);
        var now = node.Time.GetUtcNow();

        await hub.For("A").PublishOpenedAsync("a", now + TimeSpan.FromSeconds(10), ct);
        await hub.For("C").PublishOpenedAsync("a", now + TimeSpan.FromSeconds(30), ct);
        node.Time.Advance(TimeSpan.FromSeconds(15));

        Assert.Equal("open", node.Pipelines.CircuitState("a"));
        node.Time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal("closed", node.Pipelines.CircuitState("a"));
        Assert.Equal(["open", "closed"], node.Pipelines.Transitions.Select(t => t.State));
    }

    [Fact]
    public async Task WithoutBroadcast_JoinIsNothingAndCircuitsStayLocal()
    {
        var node = new EngineHarness(providers: [new ScriptedProvider("a")]);

        Assert.Null(await node.Pipelines.JoinAsync(TestContext.Current.CancellationToken));
    }

    /// <summary>An in-process stand-in for the shared store's transport: delivers every publish to every other node's subscriber, at once.</summary>
    private sealed class CircuitHub
    {
        private readonly List<(string Node, Func<CircuitOpening, ValueTask> OnOpened)> _subscribers = [];

        public List<CircuitOpening> Published { get; } = [];

        public ICircuitBroadcast For(string node) => new Member(this, node);

        private sealed class Member(CircuitHub hub, string node) : ICircuitBroadcast
        {
            public async ValueTask PublishOpenedAsync(string provider, DateTimeOffset until, CancellationToken cancellationToken)
            {
                var opening = new CircuitOpening(provider, until, node);
                hub.Published.Add(opening);
                foreach (var subscriber in hub._subscribers.Where(s => s.Node != node).ToList())
                {
                    await subscriber.OnOpened(opening);
                }
            }

            public ValueTask<IAsyncDisposable> SubscribeAsync(Func<CircuitOpening, ValueTask> onOpened, CancellationToken cancellationToken)
            {
                var entry = (node, onOpened);
                hub._subscribers.Add(entry);
                return ValueTask.FromResult<IAsyncDisposable>(new Unsubscribe(() => hub._subscribers.Remove(entry)));
            }
        }

        private sealed class Unsubscribe(Action remove) : IAsyncDisposable
        {
            public ValueTask DisposeAsync()
            {
                remove();
                return ValueTask.CompletedTask;
            }
        }
    }
}
