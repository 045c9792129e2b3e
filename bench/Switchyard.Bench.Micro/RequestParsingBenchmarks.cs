using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Switchyard.Configuration;
using Switchyard.Http;

namespace Switchyard.Bench.Micro;

/// <summary>Body bytes to a validated request: JSON parse plus the field checks of the endpoint.</summary>
[MemoryDiagnoser]
public class RequestParsingBenchmarks
{
    private static readonly byte[] ChatBody = Encoding.UTF8.GetBytes("""
        {"model":"chat","messages":[{"role":"system","content":"You are a concise assistant for software engineers. Answer in plain prose."},
        {"role":"user","content":"I maintain a small web service that calls an image model and a text model. Give me a five-day plan to find out why the p99 latency doubled after the last release, with one concrete step per day, in plain prose."}],
        "max_tokens":256,"temperature":0.7}
        """);

    private static readonly byte[] ImageBody = Encoding.UTF8.GetBytes("""
        {"model":"image-256","prompt":"A watercolor lighthouse on a rocky coast at dusk, soft light, gulls, calm sea, wide angle","n":1,"size":"256x256","response_format":"b64_json"}
        """);

    private readonly ServerConfig _server = new();

    [Benchmark]
    public object? Chat()
    {
        using var document = JsonDocument.Parse(ChatBody);
        return GenerationRequests.Chat(new JsonRequest(document.RootElement), _server).Value;
    }

    [Benchmark]
    public object? Image()
    {
        using var document = JsonDocument.Parse(ImageBody);
        return GenerationRequests.Image(new JsonRequest(document.RootElement), _server).Value;
    }
}
