using System.Diagnostics;

namespace Switchyard.Bench.Overhead;

/// <summary>What the soak measured: requests, throughput, and the RSS samples (seconds since start, bytes).</summary>
internal sealed record SoakResult(int Minutes, long Requests, double RequestsPerSecond, long Errors, long P99Us, IReadOnlyList<(double Seconds, long Rss)> Samples)
{
    /// <summary>Mean RSS over the second minute (after start-up and JIT) and over the last minute, and their ratio.</summary>
    public (long Early, long Late, double Growth) Growth()
    {
        var end = Samples.Max(s => s.Seconds);
        var early = Samples.Where(s => s.Seconds is >= 60 and < 120).Select(s => s.Rss).DefaultIfEmpty(Samples[0].Rss).Average();
        var late = Samples.Where(s => s.Seconds >= end - 60).Select(s => s.Rss).Average();
        return ((long)early, (long)late, (late - early) / early);
    }
}

/// <summary>Switchyard under chat load at 64 connections for many minutes, its RSS sampled every 5 s.</summary>
internal static class Soak
{
    public static async Task<SoakResult> RunAsync(string script, Target target, string bodies, int minutes)
    {
        var (url, body, headers) = target.Address(Scenario.Chat, bodies);
        var samples = new List<(double, long)>();
        var clock = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                samples.Add((clock.Elapsed.TotalSeconds, target.Server.RssBytes()));
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(5), stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

        Console.WriteLine($"soak: {minutes} min of chat at 64 connections against {url}");
        var result = await Wrk.RunAsync(script, url, body, headers, 64, minutes * 60, watched: null);
        await stop.CancelAsync();
        await sampler;
        return new SoakResult(minutes, result.Requests, result.RequestsPerSecond, result.Errors + result.StatusErrors, result.P99Us, samples);
    }
}
