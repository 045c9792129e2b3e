using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SkiaSharp;

namespace Switchyard.Providers.Tests.Emulators;

/// <summary>One request an emulator received.</summary>
public sealed record RecordedRequest(
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string ContentType,
    byte[] Body,
    IReadOnlyDictionary<string, string> Form)
{
    public string BodyText => System.Text.Encoding.UTF8.GetString(Body);

    /// <summary>The file parts of a multipart body, in order.</summary>
    public IReadOnlyList<UploadedFile> Files { get; init; } = [];

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>A file part of a multipart request: its field name, file name, media type and bytes.</summary>
public sealed record UploadedFile(string Name, string FileName, string ContentType, byte[] Data);

/// <summary>
/// A provider's wire format on 127.0.0.1 (Kestrel on a free port): it records every request and answers with the
/// provider's real shapes, or with the next scripted answer a test queued (errors, 429s, slow or empty answers).
/// </summary>
public abstract class ScriptedEmulator : IAsyncDisposable
{
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private WebApplication? _app;

    /// <summary>The root URL, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Root { get; private set; } = "";

    /// <summary>Every request so far, oldest first.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public RecordedRequest Last => Requests[^1];

    /// <summary>Answers the next request with <paramref name="answer"/> instead of the default behaviour.</summary>
    public void Enqueue(Func<HttpContext, Task> answer) => _script.Enqueue(answer);

    protected async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        Root = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
    }

    /// <summary>The provider's own behaviour, after the request was recorded.</summary>
    protected abstract Task AnswerAsync(HttpContext context, RecordedRequest request);

    private async Task HandleAsync(HttpContext context)
    {
        var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var bytes = body.ToArray();
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<UploadedFile>();
        if (context.Request.HasFormContentType)
        {
            context.Request.Body = new MemoryStream(bytes);
            var parsed = await context.Request.ReadFormAsync(context.RequestAborted);
            foreach (var (key, value) in parsed)
            {
                form[key] = value.ToString();
            }

            foreach (var file in parsed.Files)
            {
                using var data = new MemoryStream();
                await file.CopyToAsync(data, context.RequestAborted);
                files.Add(new UploadedFile(file.Name, file.FileName, file.ContentType, data.ToArray()));
            }
        }

        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        var path = context.Request.Path.Value ?? "";
        var request = new RecordedRequest(context.Request.Method, path, headers, context.Request.ContentType ?? "", bytes, form) { Files = files };
        _requests.Enqueue(request);

        if (_script.TryDequeue(out var scripted))
        {
            await scripted(context);
            return;
        }

        await AnswerAsync(context, request);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>A real encoded image: a two-colour gradient of the given size.</summary>
    public static byte[] Picture(int width, int height, SKEncodedImageFormat format = SKEncodedImageFormat.Png)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info);
        using (var paint = new SKPaint())
        {
            paint.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, height), [SKColors.SteelBlue, SKColors.Orange], SKShaderTileMode.Clamp);
            surface.Canvas.DrawRect(0, 0, width, height, paint);
        }

        using var image = surface.Snapshot();
        using var data = image.Encode(format, 90);
        return data.ToArray();
    }

    /// <summary>Answers a body with a status, a content type and extra headers.</summary>
    public static Func<HttpContext, Task> Raw(int status, string contentType, string body, params (string Name, string Value)[] headers) => async context =>
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync(body, context.RequestAborted);
    };

    /// <summary>Holds the answer back until <paramref name="delay"/> passes or the client goes away.</summary>
    public Func<HttpContext, Task> Slow(TimeSpan delay) => async context =>
    {
        await Task.Delay(delay, context.RequestAborted);
        await AnswerAsync(context, Last);
    };
}
