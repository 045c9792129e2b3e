using Switchyard.Storage.Postgres;
using Switchyard.Storage.Tests.Contract;
using Switchyard.Webhooks;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>The webhook store contract on PostgreSQL; the class has a database of its own, emptied before each test; a second store is a second node.</summary>
public sealed class PostgresWebhookStoreTests(PostgresTestDatabase database) : WebhookStoreContractTests, IClassFixture<PostgresTestDatabase>
{
    protected override async ValueTask<IWebhookDeliveryStore> CreateStoreAsync()
    {
        var opened = await database.OpenAsync();
        await database.ResetAsync();
        return new PostgresWebhookStore(opened);
    }

    protected override async ValueTask<IWebhookDeliveryStore> OpenSecondStoreAsync() => new PostgresWebhookStore(await database.OpenAsync());

    protected override async ValueTask DisposeStoreAsync() => await database.CloseOpenedAsync();
}
