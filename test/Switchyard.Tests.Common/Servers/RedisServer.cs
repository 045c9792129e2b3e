using System.Diagnostics;

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

        var script = Path.Combine(FindRepositoryRoot(), "scripts", "redis.sh");
        var started = await RunScriptAsync(script, "start");
        if (started.ExitCode != 0 || string.IsNullOrEmpty(started.Output))
        {
            throw new InvalidOperationException(
                $"Redis for the tests could not be started by '{script} start' (exit {started.ExitCode}): {started.Error.Trim()}\n"
                + $"Install Debian's package (apt-get install -y redis-server), or set {EnvironmentVariable} to a URL such as redis://127.0.0.1:6379.");
        }

        return started.Output;
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

        throw new InvalidOperationException($"No Switchyard.slnx above '{AppContext.BaseDirectory}'; set {EnvironmentVariable} instead.");
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunScriptAsync(string script, string command)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(command);
        try
        {
            using var process = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
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
