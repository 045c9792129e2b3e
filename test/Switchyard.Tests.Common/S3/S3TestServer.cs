using Switchyard.Tests.Common.Servers;

namespace Switchyard.Tests.Common.S3;

/// <summary>
/// The S3-compatible server the tests use: <c>SWITCHYARD_TEST_S3</c> (an endpoint URL whose access and secret keys are
/// both <c>S3RVER</c> and which has the bucket <c>switchyard-test</c>) when set, otherwise s3rver from
/// <c>scripts/s3.sh</c>, started here when it is not running. When neither works the tests fail with the reason, never skip.
/// </summary>
public static class S3TestServer
{
    public const string EnvironmentVariable = "SWITCHYARD_TEST_S3";

    /// <summary>The bucket scripts/s3.sh creates.</summary>
    public const string Bucket = "switchyard-test";

    /// <summary>The access key and the secret key s3rver accepts.</summary>
    public const string Key = "S3RVER";

    private static readonly Lazy<Task<Uri>> Url = new(ResolveAsync, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string? _startedBy;

    /// <summary>The server's endpoint, e.g. <c>http://127.0.0.1:54568</c>.</summary>
    public static Task<Uri> GetEndpointAsync() => Url.Value;

    /// <summary>Stops the server when this process started it; a server started by someone else is left running.</summary>
    public static async Task StopIfStartedHereAsync()
    {
        if (_startedBy is { } script)
        {
            await ServerScript.RunAsync(script, "stop");
        }
    }

    private static async Task<Uri> ResolveAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new Uri(fromEnvironment.Trim());
        }

        var script = ServerScript.Find("s3.sh", EnvironmentVariable);
        var running = await ServerScript.RunAsync(script, "url");
        if (running.ExitCode == 0)
        {
            return new Uri(running.Output);
        }

        var started = await ServerScript.RunAsync(script, "start");
        if (started.ExitCode != 0 || string.IsNullOrEmpty(started.Output))
        {
            throw new InvalidOperationException(
                $"The S3-compatible server for the artifact tests could not be started by '{script} start' (exit {started.ExitCode}): {started.Error.Trim()}\n"
                + $"Install Node.js and npm (apt-get install -y nodejs npm) so the script can install s3rver, or set {EnvironmentVariable} to an endpoint.");
        }

        _startedBy = script;
        return new Uri(started.Output);
    }

}
