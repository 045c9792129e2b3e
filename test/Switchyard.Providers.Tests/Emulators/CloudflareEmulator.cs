using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SkiaSharp;

namespace Switchyard.Providers.Tests.Emulators;

/// <summary>
/// Workers AI's REST API on loopback: <c>POST /client/v4/accounts/{account}/ai/run/{model}</c> with a Bearer token.
/// FLUX answers the JSON envelope with a base64 JPEG (1024x1024), the Stable Diffusion models raw PNG bytes at the
/// requested size, MeloTTS base64 MP3, text models <c>result.response</c> or, with <c>stream: true</c>, server-sent events.
/// The zero-cost endpoints too: <c>GET /client/v4/user/tokens/verify</c> (<c>{"result":{"id","status"},"success":true,…}</c>,
/// 401 code 1000 for another token) and <c>GET /client/v4/accounts/{account}/ai/models/search</c> (paged by
/// <c>per_page</c>/<c>page</c> with <c>result_info</c>; 401 code 10000 for another token, 403 code 10000 for another
/// well-formed account, 400 codes 7003/7000 for a malformed one).
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

    /// <summary>The model names the search lists.</summary>
    public IReadOnlyList<string> ListedModels { get; set; } =
    [
        "@cf/black-forest-labs/flux-1-schnell", "@cf/stabilityai/stable-diffusion-xl-base-1.0", "@cf/bytedance/stable-diffusion-xl-lightning",
        "@cf/lykon/dreamshaper-8-lcm", "@cf/meta/llama-3.1-8b-instruct", "@cf/meta/llama-3.3-70b-instruct-fp8-fast", "@cf/myshell-ai/melotts",
    ];

    /// <summary>The status <c>/user/tokens/verify</c> reports for the right token: active, disabled or expired.</summary>
    public string TokenStatus { get; set; } = "active";

    /// <summary>Whether <c>/user/tokens/verify</c> refuses even the right token, as it does for account-owned tokens.</summary>
    public bool AccountOwnedToken { get; set; }

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
        if (request.Method == "GET")
        {
            await ZeroCostAsync(context, request);
            return;
        }

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

    private async Task ZeroCostAsync(HttpContext context, RecordedRequest request)
    {
        var rightToken = request.Header("authorization") == "Bearer " + Token;
        if (request.Path == "/client/v4/user/tokens/verify")
        {
            if (!rightToken || AccountOwnedToken)
            {
                await Error(401, 1000, "Invalid API Token")(context);
                return;
            }

            var body = JsonSerializer.Serialize(new
            {
                result = new { id = "f267e341f3dd4697bd3b9f71dd96247f", status = TokenStatus, expires_on = "2030-01-01T00:00:00Z" },
                success = true,
                errors = Array.Empty<object>(),
                messages = new[] { new { code = 10000, message = "This API Token is valid and active", type = (string?)null } },
            });
            await Raw(200, "application/json", body)(context);
            return;
        }

        const string suffix = "/ai/models/search";
        if (request.Path.StartsWith(RunPrefix, StringComparison.Ordinal) && request.Path.EndsWith(suffix, StringComparison.Ordinal))
        {
            var account = request.Path[RunPrefix.Length..^suffix.Length];
            if (!rightToken)
            {
                await Error(401, 10000, "Authentication error")(context);
                return;
            }

            if (account.Length != 32 || !account.All(Uri.IsHexDigit))
            {
                var body = JsonSerializer.Serialize(new
                {
                    result = (object?)null,
                    success = false,
                    errors = new[] { new { code = 7003, message = $"Could not route to {request.Path}, perhaps your object identifier is invalid?" }, new { code = 7000, message = "No route for that URI" } },
                    messages = Array.Empty<string>(),
                });
                await Raw(400, "application/json", body)(context);
                return;
            }

            if (account != Account)
            {
                await Error(403, 10000, "Authentication error")(context);
                return;
            }

            var perPage = int.TryParse(context.Request.Query["per_page"], out var p) ? p : 20;
            var page = int.TryParse(context.Request.Query["page"], out var n) ? n : 1;
            var items = ListedModels.Skip((page - 1) * perPage).Take(perPage).Select((name, i) => new
            {
                id = $"00000000-0000-0000-0000-{(page * 1000) + i:D12}",
                source = 1,
                name,
                description = "A model.",
                task = new { id = "c329a1f9-323d-4e91-b2aa-582dd4188d34", name = name.Contains("flux", StringComparison.Ordinal) || name.Contains("diffusion", StringComparison.Ordinal) || name.Contains("dreamshaper", StringComparison.Ordinal) ? "Text-to-Image" : name.Contains("melotts", StringComparison.Ordinal) ? "Text-to-Speech" : "Text Generation", description = "" },
                tags = Array.Empty<string>(),
                properties = Array.Empty<object>(),
            });
            var listing = JsonSerializer.Serialize(new
            {
                result = items,
                success = true,
                errors = Array.Empty<object>(),
                messages = Array.Empty<string>(),
                result_info = new { count = items.Count(), page, per_page = perPage, total_count = ListedModels.Count, total_pages = Math.Max(1, (ListedModels.Count + perPage - 1) / perPage) },
            });
            await Raw(200, "application/json", listing)(context);
            return;
        }

        await Error(400, 7003, "Could not route to " + request.Path + ", perhaps your object identifier is invalid?")(context);
    }
}
