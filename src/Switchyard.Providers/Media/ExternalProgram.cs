using System.ComponentModel;
using System.Diagnostics;

namespace Switchyard.Providers.Media;

/// <summary>Runs a program with an argument list (never a shell), feeding stdin and collecting stdout.</summary>
internal static class ExternalProgram
{
    /// <summary>
    /// Runs <paramref name="fileName"/> and returns its stdout. Throws <see cref="AudioEncodingException"/> when it cannot
    /// start, exits non-zero or outlives <paramref name="timeout"/>; throws <see cref="OperationCanceledException"/>
    /// when <paramref name="cancellationToken"/> fires. The process is killed in both cases.
    /// </summary>
    public static async Task<byte[]> RunAsync(
        string fileName,
        IEnumerable<string> arguments,
        ReadOnlyMemory<byte> input,
        TimeSpan timeout,
        TimeProvider timeProvider,
        CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        var name = Path.GetFileName(fileName);
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (Win32Exception exception)
        {
            throw new AudioEncodingException($"could not start '{name}': {exception.Message}", exception);
        }

        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutSource.Token);
        var token = linked.Token;
        try
        {
            // Write, read and drain stderr at once: a full pipe on either side would otherwise deadlock.
            var output = new MemoryStream();
            var readTask = process.StandardOutput.BaseStream.CopyToAsync(output, token);
            var errorTask = process.StandardError.ReadToEndAsync(token);
            var writeTask = WriteInputAsync(process.StandardInput.BaseStream, input, token);
            await Task.WhenAll(readTask, errorTask, writeTask).ConfigureAwait(false);
            await process.WaitForExitAsync(token).ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                var error = (await errorTask.ConfigureAwait(false)).Trim();
                throw new AudioEncodingException($"'{name}' exited with code {process.ExitCode}: {Shorten(error)}");
            }

            return output.ToArray();
        }
        catch (OperationCanceledException) when (!process.HasExited)
        {
            Kill(process);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new AudioEncodingException($"'{name}' did not finish within {timeout.TotalSeconds:0.#}s");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new AudioEncodingException($"'{name}' did not finish within {timeout.TotalSeconds:0.#}s");
        }
        catch (IOException exception)
        {
            Kill(process);
            throw new AudioEncodingException($"'{name}' failed: {exception.Message}", exception);
        }
    }

    private static async Task WriteInputAsync(Stream stdin, ReadOnlyMemory<byte> input, CancellationToken cancellationToken)
    {
        try
        {
            await stdin.WriteAsync(input, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // The program closed stdin early (e.g. it failed); its exit code and stderr tell why.
        }
        finally
        {
            await stdin.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }
    }

    private static string Shorten(string text)
    {
        var line = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
        return line.Length > 200 ? line[..200] : line.Length == 0 ? "no message" : line;
    }
}
