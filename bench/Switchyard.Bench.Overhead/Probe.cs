using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Switchyard.Bench.Overhead;

/// <summary>Checks that each target answers a scenario correctly, and measures streaming time to first byte.</summary>
internal static class Probe
{
    private static readonly HttpClient Client = new(new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, UseProxy = false })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>One request; null when the answer is a 200 of the right shape (a PNG of the asked size for images), else why not.</summary>
    public static async Task<string?> CheckAsync(Target target, Scenario scenario, string bodies)
    {
        using var request = Request(target, scenario, bodies);
        using var response = await Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            return $"HTTP {(int)response.StatusCode}: {Cut(text)}";
        }

        if (target.Kind == "switchyard" && !response.Headers.Contains("x-switchyard-run-id"))
        {
            return "no x-switchyard-run-id header";
        }

        if (scenario == Scenario.Stream)
        {
            return text.Contains("data: [DONE]", StringComparison.Ordinal) && text.Contains("\"delta\"", StringComparison.Ordinal) ? null : $"not an SSE chat stream: {Cut(text)}";
        }

        using var json = JsonDocument.Parse(text);
        if (scenario.ImageSide is { } side)
        {
            var b64 = json.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString()!;
            var png = Convert.FromBase64String(b64);
            var (width, height) = (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
            return png.AsSpan(1, 3).SequenceEqual("PNG"u8) && width == side && height == side ? null : $"not a {side}x{side} PNG ({width}x{height})";
        }

        var content = json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        return string.IsNullOrEmpty(content) ? "empty completion" : null;
    }

    /// <summary>Sequential streaming requests: milliseconds from sending to the first body byte, per request.</summary>
    public static async Task<List<double>> TimeToFirstByteAsync(Target target, string bodies, int count)
    {
        var times = new List<double>(count);
        var buffer = new byte[1];
        var drain = new byte[16 * 1024];
        for (var i = 0; i < count; i++)
        {
            using var request = Request(target, Scenario.Stream, bodies);
            var clock = Stopwatch.StartNew();
            using var response = await Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync();
            if (await stream.ReadAsync(buffer) != 1)
            {
                throw new InvalidOperationException($"{target.Name}: empty stream");
            }

            times.Add(clock.Elapsed.TotalMilliseconds);
            while (await stream.ReadAsync(drain) > 0)
            {
            }
        }

        return times;
    }

    private static HttpRequestMessage Request(Target target, Scenario scenario, string bodies)
    {
        var (url, bodyFile, headers) = target.Address(scenario, bodies);
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new ByteArrayContent(File.ReadAllBytes(bodyFile)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        foreach (var header in headers)
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            request.Headers.TryAddWithoutValidation(header[..colon], header[(colon + 1)..].Trim());
        }

        return request;
    }

    private static string Cut(string text) => text.Length > 300 ? text[..300] + "…" : text;

    public static string Utf8(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}
