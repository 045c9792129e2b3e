using Switchyard.Jobs;

namespace Switchyard.Tests.Jobs;

/// <summary>The worker's leases on a fake clock: renewal while an item runs, per-key and per-route limits, and the drain on stop.</summary>
public sealed class JobWorkerTests : IDisposable
{
    private const string SlowYaml = JobsGateway.Yaml + """

          grace_period: 5s
        """;

    private readonly JobsGateway _gateway;

    public JobWorkerTests()
    {
        // A provider that answers after 60 s of the fake clock: items stay running until the test moves time.
        var yaml = SlowYaml.Replace("providers:\n", """
            providers:
              slow:
                type: sandbox
                latency: 60s
                timeout: 5m
                retry: { max_attempts: 1 }

            """, StringComparison.Ordinal).Replace("routes:\n", """
            routes:
              slow-text:
                modality: text
                chain:
                  - { provider: slow, model: sandbox-text }
              slow-speech:
                modality: speech
                chain:
                  - { provider: slow, model: sandbox-speech }

            """, StringComparison.Ordinal).Replace("routes: { speech: 1 }", "routes: { slow-speech: 1 }", StringComparison.Ordinal);
        _gateway = new JobsGateway(yaml);
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task RunningItem_LeaseIsRenewedEveryThirdOfIt_SoNoOneElseClaimsIt()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """{ "items": [ { "id": "a", "type": "text", "model": "slow-text", "prompt": "slow" } ] }""")).GetProperty("id").GetString()!;
        var renewals = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        _gateway.Worker.LeaseRenewed += (_, held) => renewals.Writer.TryWrite(held);

        var processing = _gateway.Worker.ProcessNextAsync(Ct);
        await _gateway.Time.WaitForTimerAsync(TimeSpan.FromSeconds(60));
        for (var i = 0; i < 4; i++)
        {
            _gateway.Time.Advance(TimeSpan.FromSeconds(10));
            Assert.True(await renewals.Reader.ReadAsync(Ct));
        }

        // 40 s in, past the first 30 s lease, the item is still held.
        var now = _gateway.Time.GetUtcNow();
        Assert.Equal(now + TimeSpan.FromSeconds(30), (await _gateway.Store.GetItemsAsync(id, Ct))[0].LeaseExpiresAt);
        Assert.Null(await _gateway.Store.ClaimAsync(new JobClaim { RunId = "run_x", Token = "x", Now = now, Lease = TimeSpan.FromSeconds(30), MaxAttempts = 2 }, Ct));
        _gateway.Time.Advance(TimeSpan.FromSeconds(20));

        Assert.True(await processing);
        var item = (await _gateway.Store.GetItemsAsync(id, Ct))[0];
        Assert.Equal(JobItemStatus.Succeeded, item.Status);
        Assert.Equal(1, item.Attempts);
    }

    [Fact]
    public async Task Claims_StopAtThePerKeyAndPerRouteLimits()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """
            { "items": [
                { "id": "s1", "type": "speech", "model": "slow-speech", "input": "one", "voice": "alloy" },
                { "id": "s2", "type": "speech", "model": "slow-speech", "input": "two", "voice": "alloy" },
                { "id": "t1", "type": "text", "model": "slow-text", "prompt": "one" },
                { "id": "t2", "type": "text", "model": "slow-text", "prompt": "two" } ] }
            """)).GetProperty("id").GetString()!;

        var first = _gateway.Worker.ProcessNextAsync(Ct);
        await _gateway.Time.WaitForTimerAsync(TimeSpan.FromSeconds(60));
        var second = _gateway.Worker.ProcessNextAsync(Ct);
        await _gateway.Time.WaitForTimerAsync(TimeSpan.FromSeconds(60));

        // slow-speech allows one at a time, so the second claim took t1; then the key (per_key: 2) is full.
        Assert.False(await _gateway.Worker.ProcessNextAsync(Ct));
        var items = await _gateway.Store.GetItemsAsync(id, Ct);
        Assert.Equal(["s1", "t1"], items.Where(i => i.Status == JobItemStatus.Running).Select(i => i.ItemId));
        Assert.Equal(2, (await _gateway.Store.GetQueueStatsAsync(_gateway.Time.GetUtcNow(), Ct)).Depth);

        _gateway.Time.Advance(TimeSpan.FromSeconds(60));
        Assert.True(await first);
        Assert.True(await second);
        Assert.Equal(0, _gateway.Worker.Running);
    }

    [Fact]
    public async Task Stop_LetsTheGracePeriodPass_ThenGivesTheLeaseBackUncounted()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """{ "items": [ { "id": "a", "type": "text", "model": "slow-text", "prompt": "slow" } ] }""")).GetProperty("id").GetString()!;
        var processing = _gateway.Worker.ProcessNextAsync(Ct);
        await _gateway.Time.WaitForTimerAsync(TimeSpan.FromSeconds(60));

        var stopping = _gateway.Worker.StopAsync(Ct);
        await _gateway.Time.WaitForTimerAsync(TimeSpan.FromSeconds(5));
        Assert.False(stopping.IsCompleted);
        _gateway.Time.Advance(TimeSpan.FromSeconds(5));
        await stopping;
        await processing;

        var item = (await _gateway.Store.GetItemsAsync(id, Ct))[0];
        Assert.Equal(JobItemStatus.Queued, item.Status);
        Assert.Equal(0, item.Attempts);
        Assert.Null(item.LeaseExpiresAt);
        Assert.Equal(_gateway.Time.GetUtcNow(), item.AvailableAt);
    }
}
