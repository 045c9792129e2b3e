using System.Text;
using Switchyard.Webhooks;

namespace Switchyard.Storage.Tests.Contract;

/// <summary>What every webhook store backend must do; each backend runs it through a subclass.</summary>
public abstract class WebhookStoreContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = StorageTestTime.Start;

    private IWebhookDeliveryStore _store = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A store over a fresh, empty database for this test.</summary>
    protected abstract ValueTask<IWebhookDeliveryStore> CreateStoreAsync();

    /// <summary>Another store over the same database, as a second process or node would have.</summary>
    protected abstract ValueTask<IWebhookDeliveryStore> OpenSecondStoreAsync();

    /// <summary>Releases what the factories opened.</summary>
    protected abstract ValueTask DisposeStoreAsync();

    private IWebhookKeySecretStore Secrets => (IWebhookKeySecretStore)_store;

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync();

    public async ValueTask DisposeAsync()
    {
        await DisposeStoreAsync();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task GetAsync_AfterAdd_RoundTripsEveryField()
    {
        var delivery = Delivery(1) with
        {
            OwnerKeyId = "key_owner",
            Body = [0x7b, 0x00, 0xff, 0x7d],
            Status = WebhookDeliveryStatus.Failed,
            Tries = 3,
            RoundTries = 2,
            NextTryAt = T0.AddTicks(1_234_560),
            LastHttpStatus = 503,
            LastError = "h answered HTTP 503",
            DeliveredAt = T0.AddMinutes(3),
        };
        await _store.AddAsync(delivery, Ct);

        var found = await _store.GetAsync(delivery.Id, Ct);

        Assert.NotNull(found);
        Assert.Equal(delivery with { Body = [] }, found with { Body = [] });
        Assert.Equal(delivery.Body, found.Body);
        Assert.Null(await _store.GetAsync("msg_none", Ct));
    }

    [Fact]
    public async Task ClaimDueAsync_DueAndPendingOnly_EarliestFirstUpToMaxUnderALease()
    {
        await _store.AddAsync(Delivery(1) with { NextTryAt = T0.AddSeconds(-5) }, Ct);
        await _store.AddAsync(Delivery(2) with { NextTryAt = T0.AddSeconds(-10) }, Ct);
        await _store.AddAsync(Delivery(3) with { NextTryAt = T0 }, Ct);
        await _store.AddAsync(Delivery(4) with { NextTryAt = T0.AddSeconds(1) }, Ct);
        await _store.AddAsync(Delivery(5) with { NextTryAt = T0.AddSeconds(-60), Status = WebhookDeliveryStatus.Delivered }, Ct);

        var first = await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease-a", 2, Ct);
        var second = await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease-b", 10, Ct);
        var third = await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease-c", 10, Ct);

        Assert.Equal([Id(1), Id(2)], first.Select(d => d.Id).Order(StringComparer.Ordinal));
        Assert.All(first, d => Assert.Equal(T0.AddMinutes(1), d.NextTryAt));
        Assert.Equal([Id(3)], second.Select(d => d.Id));
        Assert.Empty(third);
    }

    [Fact]
    public async Task ClaimDueAsync_LeaseRanOut_ClaimsAgainAndTheOldHolderCannotRecord()
    {
        await _store.AddAsync(Delivery(1), Ct);
        Assert.Single(await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease-a", 5, Ct));
        Assert.Empty(await _store.ClaimDueAsync(T0.AddSeconds(59), T0.AddMinutes(2), "lease-b", 5, Ct));

        var again = await _store.ClaimDueAsync(T0.AddMinutes(1), T0.AddMinutes(2), "lease-b", 5, Ct);

        Assert.Single(again);
        Assert.False(await _store.CompleteTryAsync(Id(1), "lease-a", Try(WebhookTryResult.Delivered, 200), null, Ct));
        Assert.True(await _store.CompleteTryAsync(Id(1), "lease-b", Try(WebhookTryResult.Delivered, 200), null, Ct));
        Assert.Single(await _store.GetTriesAsync(Id(1), Ct));
    }

    [Fact]
    public async Task ClaimDueAsync_TwoNodesAtOnce_NeverClaimTheSameDelivery()
    {
        for (var i = 1; i <= 40; i++)
        {
            await _store.AddAsync(Delivery(i), Ct);
        }

        var other = await OpenSecondStoreAsync();
        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(async n =>
        {
            var store = n % 2 == 0 ? _store : other;
            var ids = new List<string>();
            for (var round = 0; round < 4; round++)
            {
                ids.AddRange((await store.ClaimDueAsync(T0, T0.AddMinutes(1), $"lease-{n}-{round}", 3, Ct)).Select(d => d.Id));
            }

            return ids;
        }));

        var all = claims.SelectMany(ids => ids).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(40, all.Count);
    }

    [Fact]
    public async Task CompleteTryAsync_EachResult_MovesTheDeliveryAndRecordsTheTry()
    {
        foreach (var i in new[] { 1, 2, 3 })
        {
            await _store.AddAsync(Delivery(i), Ct);
        }

        Assert.Equal(3, (await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease", 5, Ct)).Count);
        Assert.True(await _store.CompleteTryAsync(Id(1), "lease", Try(WebhookTryResult.Delivered, 204), null, Ct));
        Assert.True(await _store.CompleteTryAsync(Id(2), "lease", Try(WebhookTryResult.Retry, 503, "h answered HTTP 503"), T0.AddSeconds(5), Ct));
        Assert.True(await _store.CompleteTryAsync(Id(3), "lease", Try(WebhookTryResult.Failed, null, "refused"), null, Ct));

        var delivered = (await _store.GetAsync(Id(1), Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Delivered, 1, 1, (DateTimeOffset?)null, (int?)204, (string?)null, (DateTimeOffset?)T0),
            (delivered.Status, delivered.Tries, delivered.RoundTries, delivered.NextTryAt, delivered.LastHttpStatus, delivered.LastError, delivered.DeliveredAt));
        var retry = (await _store.GetAsync(Id(2), Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, (DateTimeOffset?)T0.AddSeconds(5), (int?)503, "h answered HTTP 503"),
            (retry.Status, retry.Tries, retry.NextTryAt, retry.LastHttpStatus, retry.LastError));
        var failed = (await _store.GetAsync(Id(3), Ct))!;
        Assert.Equal((WebhookDeliveryStatus.Failed, (DateTimeOffset?)null, (int?)null, "refused", (DateTimeOffset?)null),
            (failed.Status, failed.NextTryAt, failed.LastHttpStatus, failed.LastError, failed.DeliveredAt));

        var tries = await _store.GetTriesAsync(Id(2), Ct);
        var only = Assert.Single(tries);
        Assert.Equal(Try(WebhookTryResult.Retry, 503, "h answered HTTP 503") with { Seq = 1 }, only);

        // The lease is released with the try: the retry is claimable when due, not before.
        Assert.Empty(await _store.ClaimDueAsync(T0.AddSeconds(4), T0.AddMinutes(2), "lease-2", 5, Ct));
        Assert.Equal([Id(2)], (await _store.ClaimDueAsync(T0.AddSeconds(5), T0.AddMinutes(2), "lease-2", 5, Ct)).Select(d => d.Id));
        Assert.True(await _store.CompleteTryAsync(Id(2), "lease-2", Try(WebhookTryResult.Delivered, 200) with { StartedAt = T0.AddSeconds(5) }, null, Ct));
        Assert.Equal([1, 2], (await _store.GetTriesAsync(Id(2), Ct)).Select(t => t.Seq));
        Assert.Equal((int?)200, (await _store.GetAsync(Id(2), Ct))!.LastHttpStatus);
    }

    [Fact]
    public async Task CompleteTryAsync_WithoutTheLease_RecordsNothing()
    {
        await _store.AddAsync(Delivery(1), Ct);

        Assert.False(await _store.CompleteTryAsync(Id(1), "never-claimed", Try(WebhookTryResult.Delivered, 200), null, Ct));
        Assert.Empty(await _store.GetTriesAsync(Id(1), Ct));
        Assert.Equal(0, (await _store.GetAsync(Id(1), Ct))!.Tries);
    }

    [Fact]
    public async Task ResendAsync_FailedDelivery_PendingNowWithAFreshRoundKeepingItsHistory()
    {
        await _store.AddAsync(Delivery(1), Ct);
        await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease", 5, Ct);
        await _store.CompleteTryAsync(Id(1), "lease", Try(WebhookTryResult.Failed, 410, "gone"), null, Ct);

        var resent = await _store.ResendAsync(Id(1), T0.AddHours(1), Ct);

        Assert.NotNull(resent);
        Assert.Equal((WebhookDeliveryStatus.Pending, 1, 0, (DateTimeOffset?)T0.AddHours(1)), (resent.Status, resent.Tries, resent.RoundTries, resent.NextTryAt));
        Assert.Equal(Delivery(1).Body, resent.Body);
        Assert.Equal([Id(1)], (await _store.ClaimDueAsync(T0.AddHours(1), T0.AddHours(2), "lease-2", 5, Ct)).Select(d => d.Id));
        Assert.Null(await _store.ResendAsync("msg_none", T0, Ct));
    }

    [Fact]
    public async Task ResendAsync_DeliveryBeingTried_IsLeftToItsHolder()
    {
        await _store.AddAsync(Delivery(1), Ct);
        await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease", 5, Ct);

        var resent = await _store.ResendAsync(Id(1), T0.AddSeconds(1), Ct);

        Assert.Equal(T0.AddMinutes(1), resent!.NextTryAt);
        Assert.True(await _store.CompleteTryAsync(Id(1), "lease", Try(WebhookTryResult.Delivered, 200), null, Ct));
    }

    [Fact]
    public async Task ResendAsync_PendingRetry_DueNowKeepingItsRound()
    {
        await _store.AddAsync(Delivery(1), Ct);
        await _store.ClaimDueAsync(T0, T0.AddMinutes(1), "lease", 5, Ct);
        await _store.CompleteTryAsync(Id(1), "lease", Try(WebhookTryResult.Retry, 500, "boom"), T0.AddHours(2), Ct);

        var resent = await _store.ResendAsync(Id(1), T0.AddMinutes(3), Ct);

        Assert.Equal((WebhookDeliveryStatus.Pending, 1, (DateTimeOffset?)T0.AddMinutes(3)), (resent!.Status, resent.RoundTries, resent.NextTryAt));
    }

    [Fact]
    public async Task ListAsync_Filters_NewestFirstWithACursor()
    {
        await _store.AddAsync(Delivery(1) with { OwnerKeyId = "key_a", SubjectId = "job_1", EventType = "job.completed" }, Ct);
        await _store.AddAsync(Delivery(2) with { OwnerKeyId = "key_b", SubjectId = "job_2", EventType = "job.completed" }, Ct);
        await _store.AddAsync(Delivery(3) with { OwnerKeyId = "key_a", SubjectId = "job_1", EventType = "job.item.completed", Status = WebhookDeliveryStatus.Failed }, Ct);
        await _store.AddAsync(Delivery(4) with { OwnerKeyId = null, SubjectId = "image-down", EventType = "alert.firing" }, Ct);
        await _store.AddAsync(Delivery(5) with { OwnerKeyId = "key_a", SubjectId = "job_3", EventType = "job.completed", Status = WebhookDeliveryStatus.Delivered }, Ct);

        async Task<string[]> Ids(WebhookDeliveryQuery query) => [.. (await _store.ListAsync(query, Ct)).Select(d => d.Id)];

        Assert.Equal([Id(5), Id(4), Id(3), Id(2), Id(1)], await Ids(new()));
        Assert.Equal([Id(5), Id(3), Id(1)], await Ids(new() { OwnerKeyId = "key_a" }));
        Assert.Equal([Id(3), Id(1)], await Ids(new() { OwnerKeyId = "key_a", SubjectId = "job_1" }));
        Assert.Equal([Id(3)], await Ids(new() { Status = WebhookDeliveryStatus.Failed }));
        Assert.Equal([Id(5), Id(2), Id(1)], await Ids(new() { EventType = "job.completed" }));
        Assert.Equal([Id(5), Id(4)], await Ids(new() { Limit = 2 }));
        Assert.Equal([Id(3), Id(2)], await Ids(new() { Limit = 2, After = Id(4) }));
        Assert.Equal([Id(1)], await Ids(new() { Limit = 2, After = Id(2) }));
        Assert.Empty(await Ids(new() { SubjectId = "x' OR '1'='1" }));
        Assert.Empty(await Ids(new() { Limit = 0 }));
    }

    [Fact]
    public async Task GetKeySecretStateAsync_NeverRotated_GenerationZero()
    {
        var state = await Secrets.GetKeySecretStateAsync("key_a", Ct);

        Assert.Equal(new WebhookKeySecretState { KeyId = "key_a" }, state);
    }

    [Fact]
    public async Task RotateKeySecretAsync_Twice_MovesGenerationsAndKeepsOnlyTheLastOverlap()
    {
        var first = await Secrets.RotateKeySecretAsync("key_a", T0, TimeSpan.FromHours(24), Ct);
        var second = await Secrets.RotateKeySecretAsync("key_a", T0.AddHours(1), TimeSpan.FromHours(2), Ct);

        Assert.Equal(new WebhookKeySecretState { KeyId = "key_a", Generation = 1, PreviousGeneration = 0, PreviousUntil = T0.AddHours(24), RotatedAt = T0 }, first);
        var expected = new WebhookKeySecretState { KeyId = "key_a", Generation = 2, PreviousGeneration = 1, PreviousUntil = T0.AddHours(3), RotatedAt = T0.AddHours(1) };
        Assert.Equal(expected, second);
        Assert.Equal(expected, await Secrets.GetKeySecretStateAsync("key_a", Ct));
        Assert.Equal(0, (await Secrets.GetKeySecretStateAsync("key_b", Ct)).Generation);
    }

    [Fact]
    public async Task RotateKeySecretAsync_Concurrent_EachGetsItsOwnGeneration()
    {
        var other = (IWebhookKeySecretStore)await OpenSecondStoreAsync();

        var states = await Task.WhenAll(Enumerable.Range(0, 6).Select(n =>
            (n % 2 == 0 ? Secrets : other).RotateKeySecretAsync("key_a", T0, TimeSpan.Zero, Ct).AsTask()));

        Assert.Equal([1, 2, 3, 4, 5, 6], states.Select(s => s.Generation).Order());
    }

    protected static string Id(int n) => $"msg_{n:D32}";

    private static WebhookDelivery Delivery(int n) => new()
    {
        Id = Id(n),
        Url = "https://hooks.example.com/switchyard",
        EventType = "job.completed",
        SubjectId = "job_" + n,
        Body = Encoding.UTF8.GetBytes("{\"type\":\"job.completed\",\"timestamp\":\"2026-03-04T05:06:07Z\",\"data\":{\"n\":" + n + "}}"),
        SecretRef = "key:key_owner",
        NextTryAt = T0,
        CreatedAt = T0.AddSeconds(n),
    };

    private static WebhookTry Try(WebhookTryResult result, int? status, string? error = null) => new()
    {
        StartedAt = T0,
        DurationMs = 12.5,
        HttpStatus = status,
        Error = error,
        Result = result,
    };
}
