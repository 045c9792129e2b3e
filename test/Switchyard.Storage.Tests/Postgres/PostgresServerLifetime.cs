using Switchyard.Storage.Tests.Postgres;

[assembly: AssemblyFixture(typeof(PostgresServerLifetime))]

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>Stops, when the test run ends, a cluster the tests started themselves.</summary>
public sealed class PostgresServerLifetime : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await PostgresServer.StopIfStartedHereAsync();
}
