using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SkiaSharp;

namespace Switchyard.Bench.Overhead;

/// <summary>
/// The fake upstream's fixed answers (OpenAI-shaped) and the request bodies the load posts. Written at bench start
/// into the run folder: <c>www/</c> is nginx's root, <c>bodies/</c> the wrk bodies.
/// </summary>
internal static class Fixtures
{
    /// <summary>Upstream paths: chat plain, chat as SSE, images of 256x256 and 1024x1024 (a base per answer kind).</summary>
    public const string ChatBase = "/v1";
    public const string SseBase = "/sse/v1";
    public const string Image256Base = "/img256/v1";
    public const string Image1024Base = "/img1024/v1";

    private const string Answer =
        "Here is a short plan for the week. Monday: review the open pull requests and merge the ones that pass CI. " +
        "Tuesday: profile the request path under load and write down the three largest costs. Wednesday: fix the " +
        "largest one and measure again. Thursday: update the documentation with the new numbers. Friday: release.";

    private const string UserPrompt =
        "I maintain a small web service that calls an image model and a text model. Give me a five-day plan to find " +
        "out why the p99 latency doubled after the last release, with one concrete step per day, in plain prose.";

    private const string ImagePrompt = "A watercolor lighthouse on a rocky coast at dusk, soft light, gulls, calm sea, wide angle";

    /// <summary>Writes nginx's root (fixed answers) and the request bodies; returns the PNG sizes in bytes.</summary>
    public static (long Png256, long Png1024) Write(string folder)
    {
        var www = Path.Combine(folder, "www");
        WriteFile(Path.Combine(www, "v1", "chat", "completions"), ChatCompletion());
        WriteFile(Path.Combine(www, "sse", "v1", "chat", "completions"), ChatStream());
        var png256 = Png(256, 256);
        var png1024 = Png(1024, 1024);
        WriteFile(Path.Combine(www, "img256", "v1", "images", "generations"), ImageAnswer(png256));
        WriteFile(Path.Combine(www, "img1024", "v1", "images", "generations"), ImageAnswer(png1024));

        var bodies = Path.Combine(folder, "bodies");
        foreach (var (name, model) in new[] { ("upstream", "gpt-4o-mini"), ("switchyard", "chat") })
        {
            WriteFile(Path.Combine(bodies, $"chat-{name}.json"), ChatBody(model, stream: false));
        }

        WriteFile(Path.Combine(bodies, "stream-upstream.json"), ChatBody("gpt-4o-mini", stream: true));
        WriteFile(Path.Combine(bodies, "stream-switchyard.json"), ChatBody("chat-stream", stream: true));
        WriteFile(Path.Combine(bodies, "image256-upstream.json"), ImageBody("dall-e-2", "256x256"));
        WriteFile(Path.Combine(bodies, "image256-switchyard.json"), ImageBody("image-256", "256x256"));
        WriteFile(Path.Combine(bodies, "image1024-upstream.json"), ImageBody("dall-e-2", "1024x1024"));
        WriteFile(Path.Combine(bodies, "image1024-switchyard.json"), ImageBody("image-1024", "1024x1024"));
        return (png256.Length, png1024.Length);
    }

    /// <summary>A real PNG: a gradient with low-amplitude noise, so it compresses about as well as a generated picture.</summary>
    public static byte[] Png(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        var random = new Random(width * 7919 + height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var noise = random.Next(-6, 7);
                bitmap.SetPixel(x, y, new SKColor(
                    Clamp((x * 255 / width) + noise),
                    Clamp((y * 255 / height) + noise),
                    Clamp(160 + ((x + y) % 64) + noise)));
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    // Providers' answers are plain JSON: '+' in base64, an apostrophe in text are not written as \u escapes (the .NET
    // default encoder's HTML-safe escaping did that, and an escaped string takes the JSON reader's slow path).
    private static readonly JsonSerializerOptions Upstream = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static byte Clamp(int value) => (byte)Math.Clamp(value, 0, 255);

    private static string ChatCompletion() => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        ["object"] = "chat.completion",
        ["created"] = 1741569952,
        ["model"] = "gpt-4o-mini-2024-07-18",
        ["choices"] = new[]
        {
            new Dictionary<string, object?>
            {
                ["index"] = 0,
                ["message"] = new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = Answer, ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = "stop",
            },
        },
        ["usage"] = new Dictionary<string, object?> { ["prompt_tokens"] = 62, ["completion_tokens"] = 71, ["total_tokens"] = 133 },
        ["service_tier"] = "default",
        ["system_fingerprint"] = "fp_06737a9306",
    }, Upstream);

    private static string ChatStream()
    {
        var text = new StringBuilder();
        text.Append("data: ").Append(Chunk(new Dictionary<string, object?> { ["role"] = "assistant", ["content"] = "" }, null)).Append("\n\n");
        var words = Answer.Split(' ');
        for (var i = 0; i < words.Length; i++)
        {
            var piece = i == 0 ? words[i] : " " + words[i];
            text.Append("data: ").Append(Chunk(new Dictionary<string, object?> { ["content"] = piece }, null)).Append("\n\n");
        }

        text.Append("data: ").Append(Chunk(new Dictionary<string, object?>(), "stop")).Append("\n\n");
        text.Append("data: [DONE]\n\n");
        return text.ToString();
    }

    private static string Chunk(Dictionary<string, object?> delta, string? finish) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["id"] = "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1741569952,
        ["model"] = "gpt-4o-mini-2024-07-18",
        ["system_fingerprint"] = "fp_06737a9306",
        ["choices"] = new[] { new Dictionary<string, object?> { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish } },
    }, Upstream);

    private static string ImageAnswer(byte[] png) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["created"] = 1741569952,
        ["data"] = new[] { new Dictionary<string, object?> { ["b64_json"] = Convert.ToBase64String(png), ["revised_prompt"] = null } },
    }, Upstream);

    private static string ChatBody(string model, bool stream)
    {
        var body = new Dictionary<string, object?>
        {
            ["model"] = model,
            ["messages"] = new[]
            {
                new Dictionary<string, string> { ["role"] = "system", ["content"] = "You are a concise assistant for software engineers. Answer in plain prose." },
                new Dictionary<string, string> { ["role"] = "user", ["content"] = UserPrompt },
            },
            ["max_tokens"] = 256,
            ["temperature"] = 0.7,
        };
        if (stream)
        {
            body["stream"] = true;
        }

        return JsonSerializer.Serialize(body);
    }

    private static string ImageBody(string model, string size) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["model"] = model,
        ["prompt"] = ImagePrompt,
        ["n"] = 1,
        ["size"] = size,
        ["response_format"] = "b64_json",
    });

    private static void WriteFile(string path, string text) => WriteFile(path, Encoding.UTF8.GetBytes(text));

    private static void WriteFile(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Formats an integer with thousands separators (report helper).</summary>
    public static string N(double value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
