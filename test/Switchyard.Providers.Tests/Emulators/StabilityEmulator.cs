using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Providers.Tests.Emulators;

/// <summary>
/// Stability's Stable Image generate endpoints on loopback: multipart requests to
/// <c>/v2beta/stable-image/generate/{core|ultra|sd3}</c>, answered with PNG bytes (<c>Accept: image/*</c>, with
/// <c>finish-reason</c> and <c>seed</c> headers) or base64 JSON (<c>Accept: application/json</c>) at the size of the
/// requested aspect ratio (image-to-image: an <c>image</c> file part with <c>strength</c>, answered at the input's size); errors as <c>{"id","name","errors"}</c>. The zero-cost <c>GET /v1/user/balance</c> answers
/// <c>{"credits": <see cref="Credits"/>}</c>, and <c>GET /v1/user/account</c> the account; both 401 for another key.
/// </summary>
public sealed class StabilityEmulator : ScriptedEmulator
{
    public const string Key = "sk-test-key";
    public const long Seed = 1234567;

    /// <summary>The size generated for each aspect ratio (about a megapixel, as the API does).</summary>
    public static readonly IReadOnlyDictionary<string, (int Width, int Height)> Sizes = new Dictionary<string, (int, int)>
    {
        ["21:9"] = (1536, 640), ["16:9"] = (1344, 768), ["3:2"] = (1216, 832), ["5:4"] = (1088, 896), ["1:1"] = (1024, 1024),
        ["4:5"] = (896, 1088), ["2:3"] = (832, 1216), ["9:16"] = (768, 1344), ["9:21"] = (640, 1536),
    };

    private static readonly string[] Endpoints = ["/v2beta/stable-image/generate/core", "/v2beta/stable-image/generate/ultra", "/v2beta/stable-image/generate/sd3"];

    private StabilityEmulator()
    {
    }

    /// <summary>The balance <c>/v1/user/balance</c> reports.</summary>
    public double Credits { get; set; } = 42.5;

    public static async Task<StabilityEmulator> StartNewAsync()
    {
        var emulator = new StabilityEmulator();
        await emulator.StartAsync();
        return emulator;
    }

    public static string ErrorBody(string name, params string[] errors) =>
        JsonSerializer.Serialize(new { id = "a1b2c3d4e5f6", name, errors });

    public static Func<HttpContext, Task> Error(int status, string name, string message, string? retryAfter = null) =>
        Raw(status, "application/json", ErrorBody(name, message), retryAfter is null ? [] : [("Retry-After", retryAfter)]);

    /// <summary>A 200 whose output the filter caught: a (blurred) image with <c>finish-reason: CONTENT_FILTERED</c>.</summary>
    public static Func<HttpContext, Task> Filtered(bool json = false) => async context =>
    {
        var png = Picture(1024, 1024);
        if (json)
        {
            await Raw(200, "application/json", JsonSerializer.Serialize(new { image = Convert.ToBase64String(png), finish_reason = "CONTENT_FILTERED", seed = Seed }))(context);
            return;
        }

        context.Response.ContentType = "image/png";
        context.Response.Headers["finish-reason"] = "CONTENT_FILTERED";
        context.Response.Headers["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.Body.WriteAsync(png, context.RequestAborted);
    };

    protected override async Task AnswerAsync(HttpContext context, RecordedRequest request)
    {
        if (request.Method == "GET" && request.Path is "/v1/user/balance" or "/v1/user/account")
        {
            if (request.Header("authorization") != "Bearer " + Key)
            {
                // The v1 API's error shape.
                await Raw(401, "application/json", JsonSerializer.Serialize(new { id = "9160aa70222b4ca6a5b2b8a7bbd4d5ea", name = "unauthorized", message = "Incorrect API key provided" }))(context);
                return;
            }

            var body = request.Path == "/v1/user/balance"
                ? JsonSerializer.Serialize(new { credits = Credits })
                : JsonSerializer.Serialize(new { id = "user-1234", email = "example@stability.ai", profile_picture = "https://api.stability.ai/example.png", organizations = Array.Empty<object>() });
            await Raw(200, "application/json", body)(context);
            return;
        }

        if (!Endpoints.Contains(request.Path, StringComparer.Ordinal))
        {
            await Error(404, "not_found", $"{request.Path} does not exist")(context);
            return;
        }

        if (request.Header("authorization") != "Bearer " + Key)
        {
            await Error(401, "unauthorized", "authorization: invalid or missing API key")(context);
            return;
        }

        if (!request.ContentType.StartsWith("multipart/form-data", StringComparison.Ordinal) || !request.Form.TryGetValue("prompt", out var prompt) || prompt.Length == 0)
        {
            await Error(400, "bad_request", "prompt: cannot be empty")(context);
            return;
        }

        (int Width, int Height) size;
        if (request.Files.SingleOrDefault(f => f.Name == "image") is { } image)
        {
            // Image-to-image: strength is required, sd3 must say mode=image-to-image, and the output has the input's size.
            if (!double.TryParse(request.Form.GetValueOrDefault("strength"), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var strength) || strength is < 0 or > 1)
            {
                await Error(400, "bad_request", "strength: is required for image-to-image requests and must be between 0 and 1")(context);
                return;
            }

            if (request.Path.EndsWith("/sd3", StringComparison.Ordinal) && request.Form.GetValueOrDefault("mode") != "image-to-image")
            {
                await Error(400, "bad_request", "image: only valid when mode is image-to-image")(context);
                return;
            }

            using var decoded = SkiaSharp.SKBitmap.Decode(image.Data);
            if (decoded is null)
            {
                await Error(400, "bad_request", "image: could not be decoded")(context);
                return;
            }

            size = (decoded.Width, decoded.Height);
        }
        else if (!Sizes.TryGetValue(request.Form.GetValueOrDefault("aspect_ratio", "1:1"), out size))
        {
            await Error(400, "bad_request", $"aspect_ratio: must be one of {string.Join(", ", Sizes.Keys)}")(context);
            return;
        }

        var png = Picture(size.Width, size.Height);
        if (request.Header("accept") == "application/json")
        {
            await Raw(200, "application/json", JsonSerializer.Serialize(new { image = Convert.ToBase64String(png), finish_reason = "SUCCESS", seed = Seed }))(context);
            return;
        }

        context.Response.ContentType = "image/png";
        context.Response.Headers["finish-reason"] = "SUCCESS";
        context.Response.Headers["seed"] = Seed.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await context.Response.Body.WriteAsync(png, context.RequestAborted);
    }
}
