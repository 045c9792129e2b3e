using Switchyard.Storage.Sqlite;
using Switchyard.Storage.Tests.Contract;
using Switchyard.Webhooks;

namespace Switchyard.Storage.Tests.Sqlite;

/// <summary>The webhook store contract on a SQLite file; a second store is a second process on the same file.</summary>
public sealed class SqliteWebhookStoreTests : WebhookStoreContractTests
{
    private readonly SqliteTestDatabase _files = new();

    protected override async ValueTask<IWebhookDeliveryStore> CreateStoreAsync() => new SqliteWebhookStore(await _files.OpenAsync());

    protected override async ValueTask<IWebhookDeliveryStore> OpenSecondStoreAsync() => new SqliteWebhookStore(await _files.OpenAsync());

    protected override ValueTask DisposeStoreAsync()
    {
        _files.Dispose();
        return ValueTask.CompletedTask;
    }
}
