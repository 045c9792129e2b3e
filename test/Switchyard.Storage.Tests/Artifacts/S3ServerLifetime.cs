using Switchyard.Storage.Tests.Artifacts;
using Switchyard.Tests.Common.S3;

[assembly: AssemblyFixture(typeof(S3ServerLifetime))]

namespace Switchyard.Storage.Tests.Artifacts;

/// <summary>Stops, when the test run ends, an S3 server the tests started themselves.</summary>
public sealed class S3ServerLifetime : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await S3TestServer.StopIfStartedHereAsync();
}
