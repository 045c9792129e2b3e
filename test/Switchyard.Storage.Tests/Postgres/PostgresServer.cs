using Switchyard.Tests.Common.Servers;

namespace Switchyard.Storage.Tests.Postgres;

/// <summary>
/// The PostgreSQL server the tests use: <c>SWITCHYARD_TEST_POSTGRES</c> when set, otherwise the cluster of
/// <c>scripts/postgres.sh</c>, started here when it is not running. When neither works the tests fail with the reason, never skip.
/// </summary>
internal static class PostgresServer
{
    public const string EnvironmentVariable = "SWITCHYARD_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Url = new(ResolveAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string? _startedBy;

    /// <summary>A URL of the server whose user may create and drop databases.</summary>
    public static Task<string> GetUrlAsync() => Url.Value;

    /// <summary>Stops the cluster when this process started it; a cluster started by someone else is left running.</summary>
    public static async Task StopIfStartedHereAsync()
    {
        if (_startedBy is { } script)
        {
            await ServerScript.RunAsync(script, "stop");
        }
    }

    private static async Task<string> ResolveAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        var script = ServerScript.Find("postgres.sh", EnvironmentVariable);
        var running = await ServerScript.RunAsync(script, "url");
        if (running.ExitCode == 0)
        {
            return running.Output;
        }

        var started = await ServerScript.RunAsync(script, "start");
        if (started.ExitCode != 0 || string.IsNullOrEmpty(started.Output))
        {
            throw new InvalidOperationException(
                $"PostgreSQL for the storage tests could not be started by '{script} start' (exit {started.ExitCode}): {started.Error.Trim()}\n"
                + $"Install Debian's package (apt-get install -y postgresql), or set {EnvironmentVariable} to a URL such as "
                + "postgres://postgres@127.0.0.1:5432/postgres whose user may create databases.");
        }

        _startedBy = script;
        return started.Output;
    }

}
