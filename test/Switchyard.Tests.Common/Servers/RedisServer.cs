namespace Switchyard.Tests.Common.Servers;

/// <summary>
/// The Redis server the tests use: <c>SWITCHYARD_TEST_REDIS</c> when set, otherwise the server of
/// <c>scripts/redis.sh</c>, started here when it is not running. When neither works the tests fail with the reason, never skip.
/// </summary>
public static class RedisServer
{
    public const string EnvironmentVariable = "SWITCHYARD_TEST_REDIS";

    private static readonly Lazy<Task<string>> Url = new(ResolveAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The URL of the test server.</summary>
    public static Task<string> GetUrlAsync() => Url.Value;

    private static async Task<string> ResolveAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        var script = ServerScript.Find("redis.sh", EnvironmentVariable);
        var started = await ServerScript.RunAsync(script, "start");
        if (started.ExitCode != 0 || string.IsNullOrEmpty(started.Output))
        {
            throw new InvalidOperationException(
                $"Redis for the tests could not be started by '{script} start' (exit {started.ExitCode}): {started.Error.Trim()}\n"
                + $"Install Debian's package (apt-get install -y redis-server), or set {EnvironmentVariable} to a URL such as redis://127.0.0.1:6379.");
        }

        return started.Output;
    }

}
