using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Switchyard.Tests.Common.Emulators;

/// <summary>
/// A local emulator of the OpenAI API on 127.0.0.1 (a random port): <c>POST /v1/images/generations</c>,
/// <c>/v1/images/edits</c> (multipart, validated as OpenAI does: <c>image[]</c> for gpt-image, one square PNG
/// <c>image</c> for dall-e-2, a PNG <c>mask</c> of the first image's size, no <c>response_format</c> for gpt-image),
/// <c>/v1/chat/completions</c> (also SSE streams), <c>/v1/audio/speech</c> and <c>GET /v1/models</c> (the list in
/// <see cref="ListedModels"/>, 401 without <see cref="RequiredKey"/>), answering with OpenAI's real shapes,
/// plus AI/ML API's flux shape (<c>image_size</c> in, fal-style <c>images</c> out). It records every request.
/// <para>
/// Behaviour is scripted per request by directives in the prompt, the last user message or the speech input:
/// <c>#status=NNN</c> (that status with OpenAI's error body; 429 adds <c>retry-after: 2</c>), <c>#retry-ms=NNN</c>,
/// <c>#quota</c>, <c>#policy</c>, <c>#moderation</c>, <c>#param</c>, <c>#model404</c>, <c>#html502</c>,
/// <c>#slow=2s</c>, <c>#empty</c>, <c>#url</c>, <c>#url-missing</c>, <c>#url-redirect</c>, <c>#stream-error</c>, <c>#stream-cut</c> —
/// or by <see cref="Enqueue"/>, which answers the next request with a fixed response.
/// </para>
/// </summary>
public sealed partial class OpenAIEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentDictionary<string, byte[]> _files = new();

    private OpenAIEmulator(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The API root, e.g. <c>http://127.0.0.1:40123/v1</c>.</summary>
    public string BaseUrl { get; private set; } = "";

    /// <summary>The server root, e.g. <c>http://127.0.0.1:40123</c>.</summary>
    public string Origin { get; private set; } = "";

    /// <summary>When set, requests without <c>Authorization: Bearer</c> this key get OpenAI's 401.</summary>
    public string? RequiredKey { get; set; }

    /// <summary>The ids <c>GET /v1/models</c> lists, as OpenAI does (<c>{"object":"list","data":[{"id","object":"model","created","owned_by"}]}</c>).</summary>
    public IReadOnlyList<string> ListedModels { get; set; } = ["gpt-4o-mini", "gpt-4o", "gpt-image-1", "dall-e-3", "dall-e-2", "tts-1", "gpt-4o-mini-tts"];

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.ToList();

    /// <summary>Starts the emulator on a free loopback port.</summary>
    public static async Task<OpenAIEmulator> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var emulator = new OpenAIEmulator(app);
        app.MapPost("/v1/images/generations", emulator.ImagesAsync);
        app.MapPost("/v1/images/edits", emulator.EditsAsync);
        app.MapPost("/v1/chat/completions", emulator.ChatAsync);
        app.MapPost("/v1/audio/speech", emulator.SpeechAsync);
        app.MapGet("/v1/models", emulator.ModelsAsync);
        app.MapGet("/files/{id}", emulator.FileAsync);
        app.MapGet("/redirect/{id}", emulator.RedirectAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Origin = address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/');
        emulator.BaseUrl = emulator.Origin + "/v1";
        return emulator;
    }

    /// <summary>Answers the next request with <paramref name="response"/>.</summary>
    public void Enqueue(ScriptedResponse response) => _script.Enqueue(response);

    /// <summary>A real PNG of the given size.</summary>
    public static byte[] Png(int width, int height, int seed = 0)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(new SKColor((byte)(40 + (seed * 37 % 200)), 120, 200));
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<(RecordedRequest Request, JsonNode? Json)> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var recorded = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body);
        _requests.Enqueue(recorded);
        JsonNode? json = null;
        try
        {
            json = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            // Left null: answered as a 400 by the handler.
        }

        return (recorded, json);
    }

    // The common start of every endpoint: auth, a queued script, or a directive. True when it answered already.
    private async Task<bool> PreambleAsync(HttpContext context, RecordedRequest request, JsonNode? json, string text)
    {
        if (_script.TryDequeue(out var scripted))
        {
            if (scripted.Delay is { } wait && !await DelayAsync(wait, context))
            {
                return true;
            }

            foreach (var (name, value) in scripted.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.StatusCode = scripted.Status;
            context.Response.ContentType = scripted.ContentType;
            await context.Response.WriteAsync(scripted.Body, context.RequestAborted);
            return true;
        }

        if (RequiredKey is not null && request.Header("authorization") != "Bearer " + RequiredKey)
        {
            var shown = request.Header("authorization") is { Length: > 14 } auth ? auth[7..11] + "***" + auth[^3..] : "";
            await ErrorAsync(context, 401, $"Incorrect API key provided: {shown}. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key");
            return true;
        }

        if (json is null)
        {
            await ErrorAsync(context, 400, "We could not parse the JSON body of your request.", "invalid_request_error", null, null);
            return true;
        }

        if (Directive(text, "slow") is { } slow && !await DelayAsync(TimeSpan.FromMilliseconds(ParseMillis(slow)), context))
        {
            return true;
        }

        if (Directive(text, "status") is { } status)
        {
            await StatusErrorAsync(context, int.Parse(status, CultureInfo.InvariantCulture), json["model"]?.GetValue<string>() ?? "");
            return true;
        }

        if (Directive(text, "retry-ms") is { } retryMs)
        {
            context.Response.Headers["retry-after-ms"] = retryMs;
            await ErrorAsync(context, 429, "Rate limit reached for requests. Please try again in 0.5s.", "requests", null, "rate_limit_exceeded");
            return true;
        }

        if (Has(text, "quota"))
        {
            await ErrorAsync(context, 429, "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota", null, "insufficient_quota");
            return true;
        }

        if (Has(text, "policy"))
        {
            await ErrorAsync(context, 400, "Your request was rejected as a result of our safety system. Your prompt may contain text that is not allowed by our safety system.", "invalid_request_error", null, "content_policy_violation");
            return true;
        }

        if (Has(text, "moderation"))
        {
            await ErrorAsync(context, 400, "Your request was rejected by the safety system. If you believe this is an error, contact us at help.openai.com and include the request ID.", "image_generation_user_error", null, "moderation_blocked");
            return true;
        }

        if (Has(text, "param"))
        {
            await ErrorAsync(context, 400, "Invalid value: '999x999'. Supported values are: '1024x1024', '1024x1536', '1536x1024', and 'auto'.", "invalid_request_error", "size", "invalid_value");
            return true;
        }

        if (Has(text, "model404"))
        {
            await StatusErrorAsync(context, 404, json["model"]?.GetValue<string>() ?? "");
            return true;
        }

        if (Has(text, "html502"))
        {
            context.Response.StatusCode = 502;
            context.Response.ContentType = "text/html";
            await context.Response.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>", context.RequestAborted);
            return true;
        }

        return false;
    }

    private static async Task StatusErrorAsync(HttpContext context, int status, string model)
    {
        switch (status)
        {
            case 401:
                await ErrorAsync(context, 401, "Incorrect API key provided: sk-proj-****************************abcd. You can find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error", null, "invalid_api_key");
                break;
            case 403:
                await ErrorAsync(context, 403, "Your organization must be verified to use the model `gpt-image-1`.", "invalid_request_error", null, "unsupported_country_region_territory");
                break;
            case 404:
                await ErrorAsync(context, 404, $"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", null, "model_not_found");
                break;
            case 429:
                context.Response.Headers["retry-after"] = "2";
                context.Response.Headers["x-ratelimit-remaining-requests"] = "0";
                context.Response.Headers["x-ratelimit-reset-requests"] = "2s";
                await ErrorAsync(context, 429, "Rate limit reached for gpt-4o-mini in organization org-abc on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.", "requests", null, "rate_limit_exceeded");
                break;
            case 503:
                await ErrorAsync(context, 503, "The engine is currently overloaded, please try again later", "server_error", null, null);
                break;
            default:
                await ErrorAsync(context, status, "The server had an error while processing your request. Sorry about that!", "server_error", null, null);
                break;
        }
    }

    private static async Task ErrorAsync(HttpContext context, int status, string message, string type, string? param, string? code)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = param, ["code"] = code } };
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private async Task ImagesAsync(HttpContext context)
    {
        var (request, json) = await RecordAsync(context);
        var prompt = json?["prompt"]?.GetValue<string>() ?? "";
        if (await PreambleAsync(context, request, json, prompt))
        {
            return;
        }

        var model = json!["model"]?.GetValue<string>() ?? "";
        if (json["image_url"] is not null)
        {
            await FluxImageToImageAsync(context, json, model);
            return;
        }

        int width, height, count;
        var fluxShape = json["image_size"] is JsonObject;
        if (fluxShape)
        {
            width = json["image_size"]!["width"]!.GetValue<int>();
            height = json["image_size"]!["height"]!.GetValue<int>();
            count = json["num_images"]?.GetValue<int>() ?? 1;
        }
        else
        {
            var size = (json["size"]?.GetValue<string>() ?? "1024x1024").Split('x');
            width = int.Parse(size[0], CultureInfo.InvariantCulture);
            height = int.Parse(size[1], CultureInfo.InvariantCulture);
            count = json["n"]?.GetValue<int>() ?? 1;
        }

        var items = new JsonArray();
        if (!Has(prompt, "empty"))
        {
            var asUrl = Has(prompt, "url") || Has(prompt, "url-missing") || Has(prompt, "url-redirect") || fluxShape
                || (!model.StartsWith("gpt-image", StringComparison.Ordinal) && json["response_format"]?.GetValue<string>() != "b64_json");
            for (var i = 0; i < count; i++)
            {
                var png = Png(width, height, i);
                JsonObject item;
                if (asUrl)
                {
                    var id = Guid.NewGuid().ToString("N");
                    if (!Has(prompt, "url-missing"))
                    {
                        _files[id] = png;
                    }

                    // #url-redirect: the link answers 302 towards the file, as a CDN's may.
                    var url = $"{Origin}/{(Has(prompt, "url-redirect") ? "redirect" : "files")}/{id}?se=2030-01-01&sig=SECRETSIGNATURE";
                    item = fluxShape
                        ? new JsonObject { ["url"] = url, ["width"] = width, ["height"] = height, ["content_type"] = "image/png" }
                        : new JsonObject { ["url"] = url };
                }
                else
                {
                    // #bad-b64: text that is not base64; #b64-lines: base64 broken into MIME lines (Convert accepts it).
                    item = new JsonObject
                    {
                        ["b64_json"] = Has(prompt, "bad-b64") ? "iVBORw0KGgo*not base64*" : Convert.ToBase64String(png, Has(prompt, "b64-lines") ? Base64FormattingOptions.InsertLineBreaks : Base64FormattingOptions.None),
                    };
                }

                if (model == "dall-e-3")
                {
                    item["revised_prompt"] = "A revised: " + prompt;
                }

                items.Add(item);
            }
        }

        JsonObject answer = fluxShape
            ? new JsonObject { ["images"] = items, ["timings"] = new JsonObject { ["inference"] = 0.4 }, ["seed"] = 42, ["has_nsfw_concepts"] = new JsonArray(items.Select(_ => (JsonNode?)JsonValue.Create(false)).ToArray()), ["prompt"] = prompt }
            : new JsonObject { ["created"] = 1_713_833_628, ["data"] = items };
        if (model.StartsWith("gpt-image", StringComparison.Ordinal))
        {
            answer["usage"] = new JsonObject { ["total_tokens"] = 100, ["input_tokens"] = 50, ["output_tokens"] = 50 };
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    // AI/ML API's flux image-to-image: image_url (a data: URL here, or a link) and strength in JSON; the answer has
    // OpenAI's data shape, with links, at the input's size.
    private async Task FluxImageToImageAsync(HttpContext context, JsonNode json, string model)
    {
        if (!model.EndsWith("/image-to-image", StringComparison.Ordinal))
        {
            await ErrorAsync(context, 400, $"image_url is not supported by model {model}", "invalid_request_error", "image_url", null);
            return;
        }

        if (json["strength"] is { } strengthNode && strengthNode.GetValue<double>() is < 0.01 or > 1)
        {
            await ErrorAsync(context, 400, "strength must be between 0.01 and 1", "invalid_request_error", "strength", null);
            return;
        }

        var imageUrl = json["image_url"]!.GetValue<string>();
        var comma = imageUrl.IndexOf(',', StringComparison.Ordinal);
        using var input = imageUrl.StartsWith("data:image/", StringComparison.Ordinal) && imageUrl[..comma].EndsWith(";base64", StringComparison.Ordinal)
            ? SKBitmap.Decode(Convert.FromBase64String(imageUrl[(comma + 1)..]))
            : null;
        if (input is null)
        {
            await ErrorAsync(context, 422, "image_url: could not load the image", "invalid_request_error", "image_url", null);
            return;
        }

        var items = new JsonArray();
        for (var i = 0; i < (json["num_images"]?.GetValue<int>() ?? 1); i++)
        {
            var id = Guid.NewGuid().ToString("N");
            _files[id] = Png(input.Width, input.Height, i);
            items.Add(new JsonObject { ["url"] = $"{Origin}/files/{id}", ["b64_json"] = null });
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["data"] = items, ["meta"] = new JsonObject { ["usage"] = new JsonObject { ["tokens_used"] = 120000 } } }.ToJsonString(), context.RequestAborted);
    }

    private async Task EditsAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            await RecordAsync(context);
            await ErrorAsync(context, 400, "Invalid Content-Type header (application/json), expected multipart/form-data.", "invalid_request_error", null, null);
            return;
        }

        var parsed = await context.Request.ReadFormAsync(context.RequestAborted);
        var form = parsed.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        var files = new List<FilePart>();
        foreach (var file in parsed.Files)
        {
            using var data = new MemoryStream();
            await file.CopyToAsync(data, context.RequestAborted);
            files.Add(new FilePart(file.Name, file.FileName, file.ContentType, data.ToArray()));
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, "") { Form = form, Files = files };
        _requests.Enqueue(request);
        var prompt = form.GetValueOrDefault("prompt", "");
        var asJson = new JsonObject { ["model"] = form.GetValueOrDefault("model", "dall-e-2"), ["prompt"] = prompt };
        if (await PreambleAsync(context, request, asJson, prompt))
        {
            return;
        }

        var model = form.GetValueOrDefault("model", "dall-e-2");
        var images = files.Where(f => f.Name is "image" or "image[]").ToList();
        if (prompt.Length == 0)
        {
            await ErrorAsync(context, 400, "Missing required parameter: 'prompt'.", "invalid_request_error", "prompt", "missing_required_parameter");
            return;
        }

        if (images.Count == 0)
        {
            await ErrorAsync(context, 400, "Missing required parameter: 'image'.", "invalid_request_error", "image", "missing_required_parameter");
            return;
        }

        if (model.StartsWith("gpt-image", StringComparison.Ordinal) && form.ContainsKey("response_format"))
        {
            await ErrorAsync(context, 400, "Unknown parameter: 'response_format'.", "invalid_request_error", "response_format", "unknown_parameter");
            return;
        }

        using var first = SKBitmap.Decode(images[0].Data);
        if (first is null)
        {
            await ErrorAsync(context, 400, "Invalid image file or mode for image 1, please check your image file.", "invalid_request_error", "image", "invalid_image_file");
            return;
        }

        if (model == "dall-e-2" && (images.Count != 1 || images[0].Name != "image" || first.Width != first.Height || images[0].ContentType != "image/png"))
        {
            await ErrorAsync(context, 400, "Invalid input image - format must be in ['RGBA', 'LA', 'L'], got RGB.", "invalid_request_error", "image", "invalid_image_format");
            return;
        }

        if (files.SingleOrDefault(f => f.Name == "mask") is { } mask)
        {
            using var decoded = SKBitmap.Decode(mask.Data);
            if (decoded is null || decoded.Width != first.Width || decoded.Height != first.Height)
            {
                await ErrorAsync(context, 400, "Invalid mask image, mask and image must have the same dimensions.", "invalid_request_error", "mask", "invalid_mask_image");
                return;
            }
        }

        var size = (form.GetValueOrDefault("size") ?? $"{first.Width}x{first.Height}").Split('x');
        var width = int.Parse(size[0], CultureInfo.InvariantCulture);
        var height = int.Parse(size[1], CultureInfo.InvariantCulture);
        var count = int.Parse(form.GetValueOrDefault("n", "1"), CultureInfo.InvariantCulture);
        var items = new JsonArray();
        for (var i = 0; i < count; i++)
        {
            items.Add(new JsonObject { ["b64_json"] = Convert.ToBase64String(Png(width, height, i)) });
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["created"] = 1_713_833_628, ["data"] = items }.ToJsonString(), context.RequestAborted);
    }

    private async Task ChatAsync(HttpContext context)
    {
        var (request, json) = await RecordAsync(context);
        var messages = json?["messages"]?.AsArray() ?? [];
        var last = messages.LastOrDefault(m => m?["role"]?.GetValue<string>() == "user")?["content"]?.GetValue<string>() ?? "";
        if (await PreambleAsync(context, request, json, last))
        {
            return;
        }

        var model = json!["model"]?.GetValue<string>() ?? "";
        var pieces = Has(last, "empty") ? [] : new[] { "Hello", " from the", " emulator." };
        if (json["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(context, model, pieces, last, json["stream_options"]?["include_usage"]?.GetValue<bool>() == true);
            return;
        }

        var answer = new JsonObject
        {
            ["id"] = "chatcmpl-emulator",
            ["object"] = "chat.completion",
            ["created"] = 1_726_012_687,
            ["model"] = model,
            ["choices"] = Has(last, "empty") ? new JsonArray() : new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(pieces), ["refusal"] = null },
                ["logprobs"] = null,
                ["finish_reason"] = Has(last, "filter") ? "content_filter" : "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 13, ["completion_tokens"] = 5, ["total_tokens"] = 18 },
            ["system_fingerprint"] = null,
        };
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString(), context.RequestAborted);
    }

    private static async Task StreamAsync(HttpContext context, string model, string[] pieces, string prompt, bool includeUsage)
    {
        context.Response.ContentType = "text/event-stream; charset=utf-8";
        context.Response.Headers.CacheControl = "no-cache";
        async Task Send(JsonNode node)
        {
            await context.Response.WriteAsync("data: " + node.ToJsonString() + "\n\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        JsonObject Chunk(JsonObject delta, string? finish) => new()
        {
            ["id"] = "chatcmpl-emulator",
            ["object"] = "chat.completion.chunk",
            ["created"] = 1_726_012_687,
            ["model"] = model,
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["logprobs"] = null, ["finish_reason"] = finish }),
        };

        await Send(Chunk(new JsonObject { ["role"] = "assistant", ["content"] = "", ["refusal"] = null }, null));
        for (var i = 0; i < pieces.Length; i++)
        {
            await Send(Chunk(new JsonObject { ["content"] = pieces[i] }, null));
            if (i == 1 && Has(prompt, "stream-error"))
            {
                await Send(new JsonObject { ["error"] = new JsonObject { ["message"] = "The server had an error while processing your request. Sorry about that!", ["type"] = "server_error", ["param"] = null, ["code"] = null } });
                return;
            }

            if (i == 1 && Has(prompt, "stream-cut"))
            {
                // Give the client time to read what was flushed, then reset the connection.
                await DelayAsync(TimeSpan.FromMilliseconds(200), context);
                context.Abort();
                return;
            }
        }

        await Send(Chunk([], "stop"));
        if (includeUsage)
        {
            await Send(new JsonObject { ["id"] = "chatcmpl-emulator", ["object"] = "chat.completion.chunk", ["choices"] = new JsonArray(), ["usage"] = new JsonObject { ["prompt_tokens"] = 13, ["completion_tokens"] = 5, ["total_tokens"] = 18 } });
        }

        await context.Response.WriteAsync("data: [DONE]\n\n", context.RequestAborted);
    }

    private async Task SpeechAsync(HttpContext context)
    {
        var (request, json) = await RecordAsync(context);
        var input = json?["input"]?.GetValue<string>() ?? "";
        if (await PreambleAsync(context, request, json, input))
        {
            return;
        }

        var format = json!["response_format"]?.GetValue<string>() ?? "mp3";
        var (bytes, type) = Has(input, "empty") ? ([], "audio/mpeg") : Audio(format);
        context.Response.ContentType = type;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private async Task ModelsAsync(HttpContext context)
    {
        var (request, _) = await RecordAsync(context);
        if (await PreambleAsync(context, request, new JsonObject(), ""))
        {
            return;
        }

        var data = new JsonArray(ListedModels.Select(id => (JsonNode?)new JsonObject
        {
            ["id"] = id,
            ["object"] = "model",
            ["created"] = 1_698_785_189,
            ["owned_by"] = id.StartsWith("gpt", StringComparison.Ordinal) ? "system" : "openai",
        }).ToArray());
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["object"] = "list", ["data"] = data }.ToJsonString(), context.RequestAborted);
    }

    private Task RedirectAsync(HttpContext context)
    {
        _requests.Enqueue(new RecordedRequest("GET", context.Request.Path.Value ?? "", context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal), ""));
        context.Response.StatusCode = 302;
        context.Response.Headers.Location = $"/files/{context.Request.RouteValues["id"]}{context.Request.QueryString}";
        return Task.CompletedTask;
    }

    private Task FileAsync(HttpContext context)
    {
        var id = (string)context.Request.RouteValues["id"]!;
        _requests.Enqueue(new RecordedRequest("GET", context.Request.Path.Value ?? "", context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal), ""));
        if (!_files.TryGetValue(id, out var bytes))
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "image/png";
        return context.Response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }

    /// <summary>Audio bytes with the real signature of each format; wav and pcm hold one second of 24 kHz silence.</summary>
    public static (byte[] Bytes, string ContentType) Audio(string format)
    {
        const int rate = 24_000;
        var pcm = new byte[rate * 2];
        switch (format)
        {
            case "wav":
                var wav = new byte[44 + pcm.Length];
                Encoding.ASCII.GetBytes("RIFF").CopyTo(wav, 0);
                BitConverter.GetBytes(36 + pcm.Length).CopyTo(wav, 4);
                Encoding.ASCII.GetBytes("WAVEfmt ").CopyTo(wav, 8);
                BitConverter.GetBytes(16).CopyTo(wav, 16);
                BitConverter.GetBytes((short)1).CopyTo(wav, 20);
                BitConverter.GetBytes((short)1).CopyTo(wav, 22);
                BitConverter.GetBytes(rate).CopyTo(wav, 24);
                BitConverter.GetBytes(rate * 2).CopyTo(wav, 28);
                BitConverter.GetBytes((short)2).CopyTo(wav, 32);
                BitConverter.GetBytes((short)16).CopyTo(wav, 34);
                Encoding.ASCII.GetBytes("data").CopyTo(wav, 36);
                BitConverter.GetBytes(pcm.Length).CopyTo(wav, 40);
                return (wav, "audio/wav");
            case "pcm":
                return (pcm, "audio/pcm");
            case "opus":
                return ([.. "OggS"u8.ToArray(), 0, 2, .. new byte[22], .. "OpusHead"u8.ToArray(), 1, 1, 0, 0], "audio/ogg");
            case "aac":
                return ([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC], "audio/aac");
            case "flac":
                return ([.. "fLaC"u8.ToArray(), 0, 0, 0, 34], "audio/flac");
            default:
                return ([.. "ID3"u8.ToArray(), 4, 0, 0, 0, 0, 0, 0, 0xFF, 0xFB, 0x90, 0x64, 0, 0, 0, 0], "audio/mpeg");
        }
    }

    private static async Task<bool> DelayAsync(TimeSpan delay, HttpContext context)
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static long ParseMillis(string text) =>
        text.EndsWith("ms", StringComparison.Ordinal) ? long.Parse(text[..^2], CultureInfo.InvariantCulture)
        : text.EndsWith('s') ? (long)(double.Parse(text[..^1], CultureInfo.InvariantCulture) * 1000)
        : long.Parse(text, CultureInfo.InvariantCulture);

    private static bool Has(string text, string name) => DirectiveWord().Matches(text).Any(m => m.Groups["name"].Value == name);

    private static string? Directive(string text, string name) =>
        DirectiveWord().Matches(text).FirstOrDefault(m => m.Groups["name"].Value == name && m.Groups["value"].Success)?.Groups["value"].Value;

    [GeneratedRegex(@"#(?<name>[a-z0-9\-]+)(?:=(?<value>[0-9a-z\.]+))?", RegexOptions.CultureInvariant)]
    private static partial Regex DirectiveWord();
}
