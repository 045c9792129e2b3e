using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Switchyard.Bench.Overhead;

/// <summary>What one wrk run measured (latencies in microseconds), and the peak RSS of the target meanwhile.</summary>
internal sealed record WrkResult(
    long Requests, double Seconds, long Errors, long StatusErrors, long P50Us, long P99Us, long MaxUs, long PeakRssBytes, double CpuSeconds)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>Runs wrk with <c>bench/overhead/post.lua</c> and reads its summary line.</summary>
internal static class Wrk
{
    public static async Task<WrkResult> RunAsync(string script, string url, string bodyFile, IReadOnlyList<string> headers, int connections, int seconds, ServerProcess? watched)
    {
        var start = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "-t", connections == 1 ? "1" : "2", "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{seconds}s", "--timeout", "10s", "-s", script, url, "--", bodyFile })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var header in headers)
        {
            start.ArgumentList.Add(header);
        }

        var cpuBefore = watched?.CpuSeconds() ?? 0;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        long peak = 0;
        while (!process.HasExited)
        {
            if (watched is not null)
            {
                peak = Math.Max(peak, watched.RssBytes());
            }

            await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(200));
        }

        var text = await output;
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("WRKJSON ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk printed no summary for {url}: {text} {await error}");
        using var json = JsonDocument.Parse(line["WRKJSON ".Length..]);
        var r = json.RootElement;
        long L(string name) => r.GetProperty(name).GetInt64();
        var errors = L("connect_errors") + L("read_errors") + L("write_errors") + L("timeouts");
        return new WrkResult(L("requests"), L("duration_us") / 1e6, errors, L("status_errors"), L("p50_us"), L("p99_us"), L("max_us"), peak,
            (watched?.CpuSeconds() ?? 0) - cpuBefore);
    }
}
