using System.Diagnostics;

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
            await RunScriptAsync(script, "stop");
        }
    }

    private static async Task<Uri> ResolveAsync()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new Uri(fromEnvironment.Trim());
        }

        var script = Path.Combine(FindRepositoryRoot(), "scripts", "s3.sh");
        var running = await RunScriptAsync(script, "url");
        if (running.ExitCode == 0)
        {
            return new Uri(running.Output);
        }

        var started = await RunScriptAsync(script, "start");
        if (started.ExitCode != 0 || string.IsNullOrEmpty(started.Output))
        {
            throw new InvalidOperationException(
                $"The S3-compatible server for the artifact tests could not be started by '{script} start' (exit {started.ExitCode}): {started.Error.Trim()}\n"
                + $"Install Node.js and npm (apt-get install -y nodejs npm) so the script can install s3rver, or set {EnvironmentVariable} to an endpoint.");
        }

        _startedBy = script;
        return new Uri(started.Output);
    }

    private static string FindRepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Switchyard.slnx above '{AppContext.BaseDirectory}', so scripts/s3.sh cannot be found; set {EnvironmentVariable} instead.");
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunScriptAsync(string script, string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, (await output).Trim(), await error);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return (-1, string.Empty, e.Message);
        }
    }
}
