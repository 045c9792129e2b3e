using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;

namespace Switchyard.Bench.Chaos;

/// <summary>What the client saw of one request.</summary>
/// <param name="Index">0-based order in which the request was taken by a worker.</param>
/// <param name="Status">HTTP status, or 0 when no response arrived.</param>
/// <param name="StartMs">Bench clock when the request was sent.</param>
/// <param name="EndMs">Bench clock when the whole response body was read.</param>
internal sealed record RequestResult(
    int Index,
    int Status,
    double StartMs,
    double EndMs,
    string? RunId,
    string? Provider,
    bool Degraded,
    int? AttemptsHeader,
    string? Error)
{
    public double LatencyMs => EndMs - StartMs;
}

/// <summary>Sends a fixed number of image requests with a fixed number of workers, then stops.</summary>
internal static class Load
{
    public static async Task<(List<RequestResult> Results, double StartMs, double EndMs)> RunAsync(Gateway gateway, int requests, int concurrency, string label)
    {
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(concurrency, 32),
            PooledConnectionLifetime = TimeSpan.FromMinutes(10),
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        using var client = new HttpClient(handler) { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(120) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", gateway.AdminKey);

        var results = new RequestResult[requests];
        var next = -1;
        var done = 0;
        var clock = gateway.Clock;
        var startMs = clock.Elapsed.TotalMilliseconds;
        var step = Math.Max(1, requests / 10);

        async Task WorkerAsync()
        {
            while (true)
            {
                var index = Interlocked.Increment(ref next);
                if (index >= requests)
                {
                    return;
                }

                results[index] = await SendAsync(client, clock, index);
                var finished = Interlocked.Increment(ref done);
                if (finished % step == 0)
                {
                    await Console.Error.WriteLineAsync($"  [{label}] {finished}/{requests} in {(clock.Elapsed.TotalMilliseconds - startMs) / 1000:0.0}s");
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(WorkerAsync)));
        return ([.. results], startMs, clock.Elapsed.TotalMilliseconds);
    }

    private static async Task<RequestResult> SendAsync(HttpClient client, Stopwatch clock, int index)
    {
        // Distinct prompts; no [fail:...] directive: every fault comes from the configured mix.
        var body = $$"""{"model":"image","prompt":"chaos bench request {{index}}: a lighthouse at dusk","size":"256x256"}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        var start = clock.Elapsed.TotalMilliseconds;
        try
        {
            using var response = await client.PostAsync(new Uri("/v1/images/generations", UriKind.Relative), content);
            _ = await response.Content.ReadAsByteArrayAsync();
            var end = clock.Elapsed.TotalMilliseconds;
            return new RequestResult(
                index,
                (int)response.StatusCode,
                start,
                end,
                Header(response, "x-switchyard-run-id"),
                Header(response, "x-switchyard-provider"),
                string.Equals(Header(response, "x-switchyard-degraded"), "true", StringComparison.OrdinalIgnoreCase),
                int.TryParse(Header(response, "x-switchyard-attempts"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var attempts) ? attempts : null,
                null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return new RequestResult(index, 0, start, clock.Elapsed.TotalMilliseconds, null, null, false, null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
