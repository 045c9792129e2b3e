using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SkiaSharp;

namespace Switchyard.Providers.Tests.Emulators;

/// <summary>
/// Workers AI's REST API on loopback: <c>POST /client/v4/accounts/{account}/ai/run/{model}</c> with a Bearer token.
/// FLUX answers the JSON envelope with a base64 JPEG (1024x1024), the Stable Diffusion models raw PNG bytes at the
/// requested size, MeloTTS base64 MP3, text models <c>result.response</c> or, with <c>stream: true</c>, server-sent events.
/// </summary>
public sealed class CloudflareEmulator : ScriptedEmulator
{
    public const string Account = "0123456789abcdef0123456789abcdef";
    public const string Token = "cf-test-token";
    public const string Reply = "Hello from Workers AI";
    public static readonly string[] StreamPieces = ["Hello", " from", " Workers", " AI"];

    private const string RunPrefix = "/client/v4/accounts/";

    private CloudflareEmulator()
    {
    }

    /// <summary>The <c>base_url</c> to configure.</summary>
    public string BaseUrl => Root + "/client/v4";

    public static async Task<CloudflareEmulator> StartNewAsync()
    {
        var emulator = new CloudflareEmulator();
        await emulator.StartAsync();
        return emulator;
    }

    /// <summary>The Cloudflare error envelope with one error.</summary>
    public static string ErrorBody(int code, string message) =>
        JsonSerializer.Serialize(new { result = (object?)null, success = false, errors = new[] { new { code, message } }, messages = Array.Empty<string>() });

    /// <summary>An error answer in the envelope, optionally with Retry-After.</summary>
    public static Func<HttpContext, Task> Error(int status, int code, string message, string? retryAfter = null) =>
        Raw(status, "application/json", ErrorBody(code, message), retryAfter is null ? [] : [("Retry-After", retryAfter)]);

    /// <summary>A success envelope around <paramref name="result"/>.</summary>
    public static string Envelope(object? result) =>
        JsonSerializer.Serialize(new { result, success = true, errors = Array.Empty<object>(), messages = Array.Empty<string>() });

    /// <summary>MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) with silent payloads: a valid MP3 of about a second.</summary>
    public static byte[] Mp3(int frames = 40)
    {
        const int frameLength = 417; // 144 * 128000 / 44100
        var bytes = new byte[frames * frameLength];
        for (var i = 0; i < frames; i++)
        {
            bytes[i * frameLength] = 0xFF;
            bytes[(i * frameLength) + 1] = 0xFB;
            bytes[(i * frameLength) + 2] = 0x90;
            bytes[(i * frameLength) + 3] = 0x64;
        }

        return bytes;
    }

    /// <summary>A stream that sends two pieces and breaks off without <c>data: [DONE]</c>.</summary>
    public static Func<HttpContext, Task> BrokenStream() => async context =>
    {
        context.Response.ContentType = "text/event-stream";
        await context.Response.WriteAsync("data: {\"response\":\"Hello\"}\n\ndata: {\"response\":\" wor\"}\n\n", context.RequestAborted);
    };

    protected override async Task AnswerAsync(HttpContext context, RecordedRequest request)
    {
        var run = request.Path.IndexOf("/ai/run/", StringComparison.Ordinal);
        if (!request.Path.StartsWith(RunPrefix, StringComparison.Ordinal) || run < 0)
        {
            await Error(400, 7003, "Could not route to " + request.Path + ", perhaps your object identifier is invalid?")(context);
            return;
        }

        var account = request.Path[RunPrefix.Length..run];
        var model = request.Path[(run + "/ai/run/".Length)..];
        if (request.Header("authorization") != "Bearer " + Token || account != Account)
        {
            await Error(401, 10000, "Authentication error")(context);
            return;
        }

        using var body = JsonDocument.Parse(request.Body.Length == 0 ? "{}"u8.ToArray() : request.Body);
        var input = body.RootElement;
        if (model.Contains("flux-1-schnell", StringComparison.Ordinal))
        {
            var jpeg = Picture(1024, 1024, SKEncodedImageFormat.Jpeg);
            await Raw(200, "application/json", Envelope(new { image = Convert.ToBase64String(jpeg) }))(context);
        }
        else if (model.Contains("stable-diffusion", StringComparison.Ordinal) || model.Contains("dreamshaper", StringComparison.Ordinal))
        {
            var width = input.TryGetProperty("width", out var w) ? w.GetInt32() : 1024;
            var height = input.TryGetProperty("height", out var h) ? h.GetInt32() : 1024;
            context.Response.ContentType = "image/png";
            await context.Response.Body.WriteAsync(Picture(width, height), context.RequestAborted);
        }
        else if (model.Contains("melotts", StringComparison.Ordinal))
        {
            await Raw(200, "application/json", Envelope(new { audio = Convert.ToBase64String(Mp3()) }))(context);
        }
        else if (input.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var piece in StreamPieces)
            {
                await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(new { response = piece, p = "abcdef" })}\n\n", context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }

            await context.Response.WriteAsync("data: {\"response\":\"\",\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4,\"total_tokens\":13}}\n\ndata: [DONE]\n\n", context.RequestAborted);
        }
        else
        {
            await Raw(200, "application/json", Envelope(new { response = Reply, usage = new { prompt_tokens = 12, completion_tokens = 5, total_tokens = 17 } }))(context);
        }
    }
}
