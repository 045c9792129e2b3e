using System.Diagnostics;

namespace Switchyard.Tests.Common.Servers;

/// <summary>What a server script printed.</summary>
/// <param name="ExitCode">Its exit code (-1 when it could not run or took too long).</param>
/// <param name="Output">Its standard output, trimmed (a server's URL).</param>
/// <param name="Error">Its standard error (why it failed).</param>
public sealed record ScriptResult(int ExitCode, string Output, string Error);

/// <summary>Runs the repository's server scripts (<c>scripts/postgres.sh</c>, <c>redis.sh</c>, <c>s3.sh</c>) for the tests.</summary>
public static class ServerScript
{
    /// <summary>The path of <c>scripts/<paramref name="name"/></c> in the repository above the test binaries.</summary>
    /// <exception cref="InvalidOperationException">No repository above them; the message names <paramref name="environmentVariable"/> as the way out.</exception>
    public static string Find(string name, string environmentVariable)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Switchyard.slnx")))
            {
                return Path.Combine(folder.FullName, "scripts", name);
            }
        }

        throw new InvalidOperationException(
            $"No Switchyard.slnx above '{AppContext.BaseDirectory}', so scripts/{name} cannot be found; set {environmentVariable} instead.");
    }

    /// <summary>Runs <c>bash SCRIPT COMMAND</c> (start, url, stop), bounded to three minutes (a first start may install a package).</summary>
    public static async Task<ScriptResult> RunAsync(string script, string command)
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
            return new ScriptResult(process.ExitCode, (await output).Trim(), await error);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or OperationCanceledException)
        {
            return new ScriptResult(-1, string.Empty, e.Message);
        }
    }
}
