using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// The adapter for upstreams speaking the OpenAI API (<c>type: openai</c>, <c>openai-compatible</c>, <c>aimlapi</c>):
/// <c>/images/generations</c>, <c>/images/edits</c>, <c>/chat/completions</c> (also streamed) and <c>/audio/speech</c>.
/// One HTTP call per method call: retries, timeouts and circuit breaking are the engine's. Upstream errors and
/// transport faults are returned as <see cref="ProviderFailure"/>s; cancellation of the token propagates as
/// <see cref="OperationCanceledException"/> (the engine records it as <c>timeout</c> or <c>cancelled</c>).
/// </summary>
internal sealed partial class OpenAIProvider : IGenerationProvider
{
    // Error bodies are read only this far: enough for any JSON error, not a runaway HTML page.
    private const int MaxErrorBodyBytes = 64 * 1024;

    // JSON answers carry base64 images (a 1536x1024 PNG is a few MB); this bounds a misbehaving server.
    private const long MaxJsonBytes = 128L * 1024 * 1024;

    // Redirects an image link may take before its download counts as failed.
    private const int MaxDownloadRedirects = 5;

    private readonly ProviderConfig _config;
    private readonly OpenAIFlavor _flavor;
    private readonly OpenAIProviderOptions _options;
    private readonly Func<HttpMessageInvoker> _http;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string? _baseUrl;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _endpoints = new(StringComparer.Ordinal);

    public OpenAIProvider(ProviderConfig config, OpenAIFlavor flavor, OpenAIProviderOptions options, Func<HttpMessageInvoker> http, TimeProvider time, ILogger? logger)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _flavor = flavor;
        _options = options;
        _http = http;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
        _baseUrl = (config.BaseUrl ?? flavor.DefaultBaseUrl)?.TrimEnd('/');
    }

    public string Name => _config.Name;

    public string Type => _flavor.TypeName;

    /// <summary>The base URL calls go to, or null when none is configured.</summary>
    public string? BaseUrl => _baseUrl;

    public ProviderReadiness Readiness
    {
        get
        {
            if (_config.MissingSecrets.Count > 0)
            {
                return ProviderReadiness.Misconfigured(
                    $"missing environment variable{(_config.MissingSecrets.Count > 1 ? "s" : "")} {string.Join(", ", _config.MissingSecrets)} (referenced by providers.{Name}); set it and restart");
            }

            if (_baseUrl is null)
            {
                return ProviderReadiness.Misconfigured($"base_url is not set; an {_flavor.TypeName} provider needs the server's URL, e.g. base_url: http://127.0.0.1:11434/v1");
            }

            if (_flavor.RequiresApiKey && _config.ApiKey is not { IsPresent: true })
            {
                return ProviderReadiness.Misconfigured($"api_key is not set; add api_key: ${{{_flavor.KeyVariableHint}}} to providers.{Name}");
            }

            return ProviderReadiness.Ready;
        }
    }

    /// <summary>Edits go to <c>/images/edits</c> (OpenAI and compatible servers) or flux image-to-image (AI/ML API); <see cref="CheckCapable"/> says which models take them.</summary>
    public bool SupportsImageInputs => true;

    public IReadOnlyList<string> ModelsFor(Modality modality)
    {
        if (_config.Models.TryGetValue(modality, out var listed) && listed.Count > 0)
        {
            return listed;
        }

        if (modality == Modality.Speech && !_flavor.SupportsSpeech)
        {
            return [];
        }

        return _flavor.DefaultModels.TryGetValue(modality, out var defaults) ? defaults : [];
    }

    public string? CheckCapable(Modality modality, string? model, object request)
    {
        if (modality == Modality.Speech && !_flavor.SupportsSpeech && !_config.Models.ContainsKey(Modality.Speech))
        {
            return $"{Name} ({_flavor.Product}) has no OpenAI-style speech endpoint";
        }

        var resolved = ResolveModel(modality, model);
        if (resolved is null)
        {
            return $"{Name} has no default {modality.ToWire()} model; name one in the route (provider/model) or list models.{modality.ToWire()}";
        }

        var listed = ModelsFor(modality);
        if (listed.Count > 0 && !listed.Contains(resolved, StringComparer.Ordinal))
        {
            return $"{Name} does not serve the {modality.ToWire()} model '{resolved}'; it serves: {string.Join(", ", listed)}";
        }

        return (modality, request) switch
        {
            (Modality.Image, ImageRequest image) => OpenAIModels.CheckImage(resolved, image, _flavor),
            (Modality.Text, ChatRequest) => null,
            (Modality.Speech, SpeechRequest) => null,
            _ => $"{Name} cannot serve a {request?.GetType().Name ?? "missing"} request as {modality.ToWire()}",
        };
    }

    // The route's model, else the first advertised one; null when a compatible server lists none.
    private string? ResolveModel(Modality modality, string? model) => model ?? (ModelsFor(modality) is { Count: > 0 } models ? models[0] : null);

    // Readiness is checked by the engine before each attempt; this guards direct calls too.
    private ProviderFailure? NotReady(Modality modality, string? model, out string resolved)
    {
        resolved = ResolveModel(modality, model) ?? string.Empty;
        if (!Readiness.IsReady)
        {
            return new ProviderFailure { Class = ErrorClass.Misconfigured, Message = $"{Name}: {Readiness.Problem}", Code = "misconfigured", Step = "validate" };
        }

        return resolved.Length == 0
            ? new ProviderFailure { Class = ErrorClass.Misconfigured, Message = $"{Name}: no {modality.ToWire()} model named by the route or listed under models.{modality.ToWire()}", Code = "model_not_set", Step = "validate" }
            : null;
    }

    private static ByteArrayContent Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        // Serialized up front so the request carries a Content-Length (some compatible servers reject chunked bodies).
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, typeInfo));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>
    /// Sends one POST. Returns the response when its status is a success; otherwise the mapped failure (the response
    /// is then disposed). Transport faults become <c>unavailable</c>; cancellation of <paramref name="cancellationToken"/> propagates.
    /// </summary>
    private async ValueTask<(HttpResponseMessage? Response, ProviderFailure? Failure)> PostAsync(string path, HttpContent content, string model, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint(path)) { Content = content };
        if (_config.ApiKey?.Reveal() is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (_options.Organization is { } organization)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Organization", organization);
        }

        if (_options.Project is { } project)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Project", project);
        }

        Log.Sending(_logger, Name, path, model);
        HttpResponseMessage response;
        try
        {
            response = await _http().SendStreamingAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            var failure = OpenAIErrorMapper.FromException(Name, exception, "send");
            Log.TransportFailed(_logger, Name, path, failure.Message);
            return (null, failure);
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            string? body;
            try
            {
                body = await ReadTextAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                body = null;
            }

            var failure = OpenAIErrorMapper.FromResponse(Name, (int)response.StatusCode, body, response.Headers, _time.GetUtcNow(), _config.ApiKey?.Reveal());
            Log.UpstreamFailed(_logger, Name, path, (int)response.StatusCode, failure.Class.ToWire(), failure.Code);
            return (null, failure);
        }
    }

    // The address of each path, parsed once: a Uri made per call is parsed again, and its host worked out again by the
    // connection pool, on every request.
    private Uri Endpoint(string path) =>
        _endpoints.GetOrAdd(path, static (path, baseUrl) => new Uri(baseUrl + path, UriKind.RelativeOrAbsolute), _baseUrl);

    /// <summary>Reads and deserializes a success body; a malformed body is <c>unavailable</c> (<c>bad_response</c>).</summary>
    private ValueTask<(T? Value, ProviderFailure? Failure)> ReadJsonAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> typeInfo, string path, CancellationToken cancellationToken)
        where T : class =>
        ReadJsonAsync(response, typeInfo, static (json, typeInfo) => JsonSerializer.Deserialize(json, typeInfo), path, cancellationToken);

    /// <summary>Reads a success body and parses it with <paramref name="parse"/>; a malformed body is <c>unavailable</c> (<c>bad_response</c>).</summary>
    private async ValueTask<(T? Value, ProviderFailure? Failure)> ReadJsonAsync<TState, T>(HttpResponseMessage response, TState state, JsonParser<TState, T> parse, string path, CancellationToken cancellationToken)
    {
        try
        {
            // Parsed from a pooled buffer: the body is needed only until it is parsed.
            var (buffer, length) = await ReadPooledAsync(response.Content, MaxJsonBytes, cancellationToken).ConfigureAwait(false);
            if (buffer is null)
            {
                return (default, BadResponse($"the answer of {path} is larger than {MaxJsonBytes / (1024 * 1024)} MB"));
            }

            T? value;
            try
            {
                value = parse(buffer.AsSpan(0, length), state);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            return value is null ? (default, BadResponse($"the answer of {path} is JSON null")) : (value, null);
        }
        catch (JsonException exception)
        {
            return (default, BadResponse($"the answer of {path} is not the expected JSON: {exception.Message}"));
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return (default, OpenAIErrorMapper.FromException(Name, exception, "receive"));
        }
    }

    /// <summary>Parses a JSON body held in a pooled buffer (valid only during the call).</summary>
    private delegate T? JsonParser<in TState, out T>(ReadOnlySpan<byte> json, TState state);

    private ProviderFailure BadResponse(string message) =>
        new() { Class = ErrorClass.Unavailable, Message = $"{Name}: {message}", Code = "bad_response", Step = "receive" };

    /// <summary>The body's bytes, or null when it is longer than <paramref name="limit"/>.</summary>
    internal static async ValueTask<byte[]?> ReadBytesAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        var (buffer, length) = await ReadPooledAsync(content, limit, cancellationToken).ConfigureAwait(false);
        if (buffer is null)
        {
            return null;
        }

        var bytes = buffer.AsSpan(0, length).ToArray();
        ArrayPool<byte>.Shared.Return(buffer);
        return bytes;
    }

    /// <summary>
    /// The body in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it) and its length, or
    /// a null buffer when the body is longer than <paramref name="limit"/>. A stated Content-Length sizes the buffer
    /// once; otherwise it grows by doubling.
    /// </summary>
    internal static async ValueTask<(byte[]? Buffer, int Length)> ReadPooledAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        var stated = content.Headers.ContentLength;
        if (stated > limit)
        {
            return (null, 0);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(stated is { } known ? (int)Math.Min(known + 1, int.MaxValue) : 16 * 1024);
            var length = 0;
            try
            {
                while (true)
                {
                    if (length == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
                        buffer.AsSpan(0, length).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    if (read == 0)
                    {
                        break;
                    }

                    length += read;
                    if (length > limit)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        return (null, 0);
                    }
                }

                return (buffer, length);
            }
            catch
            {
                ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
    }

    private static async ValueTask<string?> ReadTextAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[limit];
            var total = 0;
            int read;
            while (total < limit && (read = await stream.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            return System.Text.Encoding.UTF8.GetString(buffer, 0, total);
        }
    }
}
