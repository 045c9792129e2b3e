using System.Collections.Concurrent;
using Switchyard.Generation;
using Switchyard.Jobs;

namespace Switchyard.Storage.Tests.Contract;

/// <summary>What every <see cref="IJobStore"/> backend must do; each backend runs it through a subclass.</summary>
public abstract class JobStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = StorageTestTime.Start;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private IJobStore _store = null!;
    private int _runs;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A job store over a fresh, empty store for this test.</summary>
    protected abstract ValueTask<IJobStore> CreateStoreAsync();

    /// <summary>Another job store over the same store, as a second process or node would have.</summary>
    protected abstract ValueTask<IJobStore> OpenSecondStoreAsync();

    /// <summary>Releases what the factories opened.</summary>
    protected abstract ValueTask DisposeStoreAsync();

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        await DisposeStoreAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task CreateAsync_ThenGet_RoundTripsJobAndItems()
    {
        var job = Job("job_1", ("a", []), ("b", ["a"])) with
        {
            Context = "watercolor, soft light",
            Webhook = new JobWebhook(new Uri("https://hooks.example.test/x"), "protected-secret", PerItem: true),
        };

        var created = await _store.CreateAsync(job, Ct);

        Assert.True(created.Created);
        Assert.False(created.Conflict);
        var stored = await _store.GetAsync("job_1", Ct);
        Assert.NotNull(stored);
        Assert.Equal("key_owner", stored.OwnerKeyId);
        Assert.Equal(JobStatus.Queued, stored.Status);
        Assert.Equal(T0, stored.CreatedAt);
        Assert.Equal("watercolor, soft light", stored.Context);
        Assert.Equal(job.Webhook, stored.Webhook);
        var items = await _store.GetItemsAsync("job_1", Ct);
        Assert.Equal(["a", "b"], items.Select(i => i.ItemId));
        Assert.Equal([JobItemStatus.Queued, JobItemStatus.Waiting], items.Select(i => i.Status));
        Assert.Equal(["a"], items[1].DependsOn);
        Assert.Equal(Modality.Text, items[0].Type);
        Assert.Equal("{\"prompt\":\"a\"}", items[0].Spec);
        Assert.Null(await _store.GetAsync("job_missing", Ct));
        Assert.Empty(await _store.GetItemsAsync("job_missing", Ct));
    }

    [Fact]
    public async Task CreateAsync_SameIdempotencyKey_ReturnsTheFirstJobAndFlagsADifferentBody()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])) with { IdempotencyKey = "idem-1" }, Ct);

        var retried = await _store.CreateAsync(Job("job_2", ("a", [])) with { IdempotencyKey = "idem-1" }, Ct);
        var different = await _store.CreateAsync(Job("job_3", ("a", [])) with { IdempotencyKey = "idem-1", RequestHash = "other" }, Ct);
        var otherOwner = await _store.CreateAsync(Job("job_4", ("a", [])) with { IdempotencyKey = "idem-1", OwnerKeyId = "key_other" }, Ct);

        Assert.False(retried.Created);
        Assert.False(retried.Conflict);
        Assert.Equal("job_1", retried.Job.Id);
        Assert.True(different.Conflict);
        Assert.Equal("job_1", different.Job.Id);
        Assert.True(otherOwner.Created);
        Assert.Null(await _store.GetAsync("job_2", Ct));
        Assert.Null(await _store.GetAsync("job_3", Ct));
    }

    [Fact]
    public async Task ClaimAsync_TakesQueuedItemsInOrder_CountsTheAttemptAndNeverAWaitingItem()
    {
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", ["a"]), ("c", [])), Ct);

        var first = await ClaimAsync(T0);
        var second = await ClaimAsync(T0);
        var none = await ClaimAsync(T0);

        Assert.Equal("a", first!.ItemId);
        Assert.Equal("c", second!.ItemId);
        Assert.Null(none);
        Assert.Equal(JobItemStatus.Running, first.Item.Status);
        Assert.Equal(1, first.Item.Attempts);
        Assert.Equal([first.RunId], first.Item.RunIds);
        Assert.Equal(T0 + Lease, first.Item.LeaseExpiresAt);
    }

    [Fact]
    public async Task ClaimAsync_BusyRouteOrKey_IsLeftForLater()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])) with { Items = [Item("a", [], route: "image"), Item("b", [], route: "text")] }, Ct);
        await _store.CreateAsync(Job("job_2", ("c", [])) with { OwnerKeyId = "key_other" }, Ct);

        var claimed = await _store.ClaimAsync(Claim(T0) with { BusyRoutes = ["image"], BusyKeys = ["key_other"] }, Ct);
        var next = await _store.ClaimAsync(Claim(T0) with { BusyRoutes = ["image"], BusyKeys = [] }, Ct);

        Assert.Equal("b", claimed!.ItemId);
        Assert.Equal("c", next!.ItemId);
        Assert.Null(await _store.ClaimAsync(Claim(T0) with { BusyRoutes = ["image"] }, Ct));
    }

    [Fact]
    public async Task CompleteAsync_Success_QueuesDependentsAndFinishesTheJob()
    {
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", ["a"])), Ct);
        var a = await ClaimAsync(T0);

        var done = await _store.CompleteAsync(a!, ItemResult.Success("{\"x\":1}", []), T0.AddSeconds(1), Ct);

        Assert.True(done.Accepted);
        Assert.Null(done.JobStatus);
        var b = await ClaimAsync(T0.AddSeconds(1));
        Assert.Equal("b", b!.ItemId);
        var last = await _store.CompleteAsync(b, ItemResult.Success(null, ["art_1", "art_2"]), T0.AddSeconds(2), Ct);
        Assert.Equal(JobStatus.Succeeded, last.JobStatus);
        var job = await _store.GetAsync("job_1", Ct);
        Assert.Equal(JobStatus.Succeeded, job!.Status);
        Assert.Equal(T0.AddSeconds(2), job.CompletedAt);
        var items = await _store.GetItemsAsync("job_1", Ct);
        Assert.Equal("{\"x\":1}", items[0].OutputText);
        Assert.Equal(["art_1", "art_2"], items[1].ArtifactIds);
    }

    [Fact]
    public async Task CompleteAsync_Failure_SkipsDependentsTransitivelyWithDependencyFailed()
    {
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", ["a"]), ("c", ["b"]), ("d", [])), Ct);
        var a = await ClaimAsync(T0);
        var d = await ClaimAsync(T0);

        await _store.CompleteAsync(a!, ItemResult.Failure("content_rejected", "rejected by every tier"), T0, Ct);
        var last = await _store.CompleteAsync(d!, ItemResult.Success("ok", []), T0, Ct);

        var items = await _store.GetItemsAsync("job_1", Ct);
        Assert.Equal([JobItemStatus.Failed, JobItemStatus.Skipped, JobItemStatus.Skipped, JobItemStatus.Succeeded], items.Select(i => i.Status));
        Assert.Equal("content_rejected", items[0].ErrorClass);
        Assert.All(items.Skip(1).Take(2), i => Assert.Equal(JobWire.DependencyFailed, i.ErrorClass));
        Assert.Contains("'a', which failed", items[1].ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("'b', which was skipped", items[2].ErrorMessage, StringComparison.Ordinal);
        Assert.Equal(JobStatus.PartiallySucceeded, last.JobStatus);
        Assert.Null(await ClaimAsync(T0));
    }

    [Fact]
    public async Task ListAsync_NewestFirst_FiltersByOwnerAndStatus_CountsItems_AndPagesWithACursor()
    {
        // job_1 finishes partially, job_2 runs (an item claimed), job_3 is untouched, job_4 belongs to another key.
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", ["a"]), ("c", [])), Ct);
        await _store.CreateAsync(Job("job_2", ("a", []), ("b", [])) with { CreatedAt = T0.AddSeconds(1) }, Ct);
        await _store.CreateAsync(Job("job_3", ("a", []), ("b", ["a"])) with { CreatedAt = T0.AddSeconds(2) }, Ct);
        await _store.CreateAsync(Job("job_4", ("a", [])) with { CreatedAt = T0.AddSeconds(3), OwnerKeyId = "key_other" }, Ct);
        var a1 = await ClaimAsync(T0);
        var c1 = await ClaimAsync(T0);
        Assert.Equal(("job_1", "a"), (a1!.JobId, a1.ItemId));
        Assert.Equal(("job_1", "c"), (c1!.JobId, c1.ItemId));
        await _store.CompleteAsync(a1, ItemResult.Failure("invalid_request", "bad prompt"), T0, Ct);
        await _store.CompleteAsync(c1, ItemResult.Success("ok", []), T0, Ct);
        var a2 = await ClaimAsync(T0.AddSeconds(1));
        Assert.Equal("job_2", a2!.JobId);

        var all = await _store.ListAsync(new JobQuery(), Ct);
        Assert.Equal(["job_4", "job_3", "job_2", "job_1"], all.Select(s => s.Job.Id));
        Assert.Equal([JobStatus.Queued, JobStatus.Queued, JobStatus.Running, JobStatus.PartiallySucceeded], all.Select(s => s.Status));
        var first = all[3].Counts;
        Assert.Equal((3, 1, 1, 1), (first.Total, first[JobItemStatus.Succeeded], first[JobItemStatus.Failed], first[JobItemStatus.Skipped]));
        Assert.True(first.AnyStarted);
        Assert.Equal((1, 1), (all[2].Counts[JobItemStatus.Running], all[2].Counts[JobItemStatus.Queued]));
        Assert.Equal((1, 1, false), (all[1].Counts[JobItemStatus.Queued], all[1].Counts[JobItemStatus.Waiting], all[1].Counts.AnyStarted));

        var owned = await _store.ListAsync(new JobQuery { OwnerKeyId = "key_owner" }, Ct);
        Assert.Equal(["job_3", "job_2", "job_1"], owned.Select(s => s.Job.Id));
        Assert.Equal(["job_4", "job_3"], (await _store.ListAsync(new JobQuery { Status = JobStatus.Queued }, Ct)).Select(s => s.Job.Id));
        Assert.Equal(["job_2"], (await _store.ListAsync(new JobQuery { Status = JobStatus.Running }, Ct)).Select(s => s.Job.Id));
        Assert.Equal(["job_1"], (await _store.ListAsync(new JobQuery { Status = JobStatus.PartiallySucceeded }, Ct)).Select(s => s.Job.Id));
        Assert.Empty(await _store.ListAsync(new JobQuery { Status = JobStatus.Succeeded }, Ct));
        Assert.Equal(["job_3"], (await _store.ListAsync(new JobQuery { OwnerKeyId = "key_owner", Status = JobStatus.Queued }, Ct)).Select(s => s.Job.Id));

        var page1 = await _store.ListAsync(new JobQuery { Limit = 2 }, Ct);
        var page2 = await _store.ListAsync(new JobQuery { Limit = 2, After = page1[^1].Job.Id }, Ct);
        var page3 = await _store.ListAsync(new JobQuery { Limit = 2, After = page2[^1].Job.Id }, Ct);
        Assert.Equal(["job_4", "job_3"], page1.Select(s => s.Job.Id));
        Assert.Equal(["job_2", "job_1"], page2.Select(s => s.Job.Id));
        Assert.Empty(page3);
    }

    [Fact]
    public async Task ClaimAsync_AfterTheLeaseRunsOut_ReclaimsAndTheStaleWorkerCannotComplete()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])), Ct);
        var stale = await ClaimAsync(T0);
        Assert.Null(await ClaimAsync(T0 + Lease - TimeSpan.FromSeconds(1)));

        var fresh = await ClaimAsync(T0 + Lease);

        Assert.NotNull(fresh);
        Assert.Equal(2, fresh.Item.Attempts);
        Assert.Equal([stale!.RunId, fresh.RunId], fresh.Item.RunIds);
        Assert.False((await _store.CompleteAsync(stale, ItemResult.Success("stale", []), T0 + Lease, Ct)).Accepted);
        Assert.False(await _store.RenewAsync(stale, T0 + Lease, Lease, Ct));
        Assert.False((await _store.ReleaseAsync(stale, T0 + Lease, Ct)).Accepted);
        Assert.True((await _store.CompleteAsync(fresh, ItemResult.Success("fresh", []), T0 + Lease, Ct)).Accepted);
        Assert.False((await _store.CompleteAsync(fresh, ItemResult.Success("twice", []), T0 + Lease, Ct)).Accepted);
        Assert.Equal("fresh", (await _store.GetItemsAsync("job_1", Ct))[0].OutputText);
    }

    [Fact]
    public async Task RenewAsync_KeepsTheItemFromBeingReclaimed()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])), Ct);
        var lease = await ClaimAsync(T0);

        Assert.True(await _store.RenewAsync(lease!, T0.AddSeconds(20), Lease, Ct));

        Assert.Null(await ClaimAsync(T0 + Lease));
        Assert.NotNull(await ClaimAsync(T0.AddSeconds(20) + Lease));
    }

    [Fact]
    public async Task ReleaseAsync_QueuesTheItemAgainWithoutCountingTheAttempt()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])), Ct);
        var lease = await ClaimAsync(T0);

        var released = await _store.ReleaseAsync(lease!, T0.AddSeconds(1), Ct);

        Assert.True(released.Accepted);
        var again = await ClaimAsync(T0.AddSeconds(1));
        Assert.Equal(1, again!.Item.Attempts);
        Assert.Equal(2, again.Item.RunIds.Count);
    }

    [Fact]
    public async Task RetryAsync_WaitsOutTheDelayAndKeepsTheError()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])), Ct);
        var lease = await ClaimAsync(T0);

        await _store.RetryAsync(lease!, ItemResult.Failure("unavailable", "HTTP 503"), T0.AddSeconds(10), T0, Ct);

        Assert.Null(await ClaimAsync(T0.AddSeconds(9)));
        var item = (await _store.GetItemsAsync("job_1", Ct))[0];
        Assert.Equal(JobItemStatus.Queued, item.Status);
        Assert.Equal("unavailable", item.ErrorClass);
        var again = await ClaimAsync(T0.AddSeconds(10));
        Assert.Equal(2, again!.Item.Attempts);
    }

    [Fact]
    public async Task FailExpiredAsync_LastAttemptsLeaseRanOut_FailsTheItemAndSkipsDependents()
    {
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", ["a"])), Ct);
        var lease = await _store.ClaimAsync(Claim(T0) with { MaxAttempts = 1 }, Ct);

        Assert.Null(await _store.ClaimAsync(Claim(T0 + Lease) with { MaxAttempts = 1 }, Ct));
        Assert.Equal(0, await _store.FailExpiredAsync(T0 + Lease - TimeSpan.FromSeconds(1), 1, Ct));
        Assert.Equal(1, await _store.FailExpiredAsync(T0 + Lease, 1, Ct));

        var items = await _store.GetItemsAsync("job_1", Ct);
        Assert.Equal(JobItemStatus.Failed, items[0].Status);
        Assert.Equal(JobWire.LeaseExpired, items[0].ErrorClass);
        Assert.Equal(JobItemStatus.Skipped, items[1].Status);
        Assert.Equal(JobStatus.Failed, (await _store.GetAsync("job_1", Ct))!.Status);
        Assert.False((await _store.CompleteAsync(lease!, ItemResult.Success("late", []), T0 + Lease, Ct)).Accepted);
    }

    [Fact]
    public async Task CancelAsync_CancelsWhatHasNotStarted_AndTheJobEndsCancelledWhenTheRunningItemFinishes()
    {
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", ["a"]), ("c", []), ("d", [])), Ct);
        var a = await ClaimAsync(T0);
        var c = await ClaimAsync(T0);

        var job = await _store.CancelAsync("job_1", T0.AddSeconds(1), Ct);

        Assert.True(job!.CancelRequested);
        Assert.Equal(JobStatus.Queued, job.Status);
        var items = await _store.GetItemsAsync("job_1", Ct);
        Assert.Equal([JobItemStatus.Running, JobItemStatus.Cancelled, JobItemStatus.Running, JobItemStatus.Cancelled], items.Select(i => i.Status));
        Assert.Null(await ClaimAsync(T0.AddSeconds(1)));
        Assert.True((await _store.CompleteAsync(a!, ItemResult.Success("done", []), T0.AddSeconds(2), Ct)).Accepted);
        var retried = await _store.RetryAsync(c!, ItemResult.Failure("timeout", "timeout after 60s"), T0.AddSeconds(5), T0.AddSeconds(2), Ct);
        Assert.Equal(JobItemStatus.Cancelled, retried.ItemStatus);
        Assert.Equal(JobStatus.Cancelled, retried.JobStatus);
        Assert.Equal(JobStatus.Cancelled, (await _store.GetAsync("job_1", Ct))!.Status);
        Assert.Null(await _store.CancelAsync("job_missing", T0, Ct));
    }

    [Fact]
    public async Task ClaimWebhooksAsync_ItemsBeforeTheJob_EachHandedOverOnceAndReclaimedWhenNotMarked()
    {
        await _store.CreateAsync(Job("job_1", ("a", [])) with { Webhook = new JobWebhook(new Uri("https://hooks.example.test/x"), null, PerItem: true) }, Ct);
        await _store.CreateAsync(Job("job_2", ("a", [])), Ct);
        Assert.Empty(await _store.ClaimWebhooksAsync(T0, Lease, 10, Ct));
        await _store.CompleteAsync((await ClaimAsync(T0))!, ItemResult.Success("x", []), T0, Ct);
        await _store.CompleteAsync((await ClaimAsync(T0))!, ItemResult.Success("x", []), T0, Ct);

        var first = await _store.ClaimWebhooksAsync(T0, Lease, 10, Ct);
        Assert.Equal([new WebhookDue("job_1", "a", first[0].Token)], first);
        Assert.Empty(await _store.ClaimWebhooksAsync(T0.AddSeconds(1), Lease, 10, Ct));
        Assert.True(await _store.MarkWebhookSentAsync(first[0], Ct));
        var job = await _store.ClaimWebhooksAsync(T0.AddSeconds(1), Lease, 10, Ct);
        Assert.Equal([("job_1", (string?)null)], job.Select(d => (d.JobId, d.ItemId)));

        // Not marked (the process died after claiming): claimed again once the claim runs out, and the old claim is dead.
        var again = await _store.ClaimWebhooksAsync(T0.AddSeconds(1) + Lease, Lease, 10, Ct);
        Assert.Single(again);
        Assert.False(await _store.MarkWebhookSentAsync(job[0], Ct));
        Assert.True(await _store.MarkWebhookSentAsync(again[0], Ct));
        Assert.True((await _store.GetAsync("job_1", Ct))!.CompletionWebhookSent);
        Assert.Empty(await _store.ClaimWebhooksAsync(T0.AddHours(1), Lease, 10, Ct));
    }

    [Fact]
    public async Task GetQueueStatsAsync_CountsAvailableItemsAndTheOldestAge()
    {
        await _store.CreateAsync(Job("job_1", ("a", []), ("b", []), ("c", ["a"])), Ct);
        await ClaimAsync(T0);

        var stats = await _store.GetQueueStatsAsync(T0.AddSeconds(10), Ct);

        Assert.Equal(1, stats.Depth);
        Assert.Equal(TimeSpan.FromSeconds(10), stats.OldestAge);
        Assert.Equal(1, stats.Running);
    }

    [Fact]
    public async Task ClaimAsync_ManyWorkersOnTwoStores_ClaimEachItemExactlyOnce()
    {
        const int count = 60;
        var items = Enumerable.Range(0, count).Select(i => Item("i" + i, [])).ToList();
        await _store.CreateAsync(Job("job_1", ("x", [])) with { Items = items }, Ct);
        var second = await OpenSecondStoreAsync();
        var claimed = new ConcurrentBag<string>();
        var completions = new ConcurrentBag<bool>();

        async Task WorkAsync(IJobStore store)
        {
            while (await store.ClaimAsync(Claim(T0), Ct) is { } lease)
            {
                claimed.Add(lease.ItemId);
                completions.Add((await store.CompleteAsync(lease, ItemResult.Success(lease.ItemId, []), T0, Ct)).Accepted);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => Task.Run(() => WorkAsync(i % 2 == 0 ? _store : second), Ct)));

        Assert.Equal(count, claimed.Count);
        Assert.Equal(count, claimed.Distinct().Count());
        Assert.All(completions, Assert.True);
        Assert.Equal(JobStatus.Succeeded, (await _store.GetAsync("job_1", Ct))!.Status);
    }

    private Task<JobLease?> ClaimAsync(DateTimeOffset now) => _store.ClaimAsync(Claim(now), Ct).AsTask();

    private JobClaim Claim(DateTimeOffset now) => new()
    {
        RunId = "run_" + Interlocked.Increment(ref _runs),
        Token = Guid.NewGuid().ToString("N"),
        Now = now,
        Lease = Lease,
        MaxAttempts = 3,
    };

    private static NewJob Job(string id, params (string Id, string[] DependsOn)[] items) => new()
    {
        Id = id,
        OwnerKeyId = "key_owner",
        RequestHash = "hash",
        CreatedAt = T0,
        Items = [.. items.Select(i => Item(i.Id, i.DependsOn))],
    };

    private static NewJobItem Item(string id, string[] dependsOn, string route = "text") => new()
    {
        ItemId = id,
        Type = Modality.Text,
        Route = route,
        Spec = $"{{\"prompt\":\"{id}\"}}",
        DependsOn = dependsOn,
    };
}
