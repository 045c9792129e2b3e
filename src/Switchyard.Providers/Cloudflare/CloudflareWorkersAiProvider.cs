using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Cloudflare;

/// <summary>
/// Cloudflare Workers AI over its REST API (<c>type: cloudflare-workers-ai</c>):
/// <c>POST {base_url}/accounts/{account_id}/ai/run/{model}</c> with <c>Authorization: Bearer {token}</c>.
/// Images from FLUX.1 [schnell] (base64 JSON) and the Stable Diffusion family (raw PNG), text from the chat models
/// (whole or as server-sent events), speech from MeloTTS (MP3). One upstream call per method call; the gateway retries.
/// </summary>
internal sealed partial class CloudflareWorkersAiProvider : IGenerationProvider
{
    private readonly ProviderConfig _config;
    private readonly CloudflareWorkersAiOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _baseUrl;

    public CloudflareWorkersAiProvider(ProviderConfig config, CloudflareWorkersAiOptions options, HttpClient http, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _config = config;
        _options = options;
        _http = http;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _baseUrl = (config.BaseUrl ?? CloudflareWorkersAiOptions.DefaultBaseUrl).TrimEnd('/');
        Readiness = CheckReadiness(config, options);
    }

    public string Name => _config.Name;

    public string Type => CloudflareWorkersAiProviderFactory.TypeName;

    public ProviderReadiness Readiness { get; }

    public IReadOnlyList<string> ModelsFor(Modality modality)
    {
        IReadOnlyList<string> builtIn = modality switch
        {
            Modality.Image => CloudflareModels.Image,
            Modality.Text => CloudflareModels.Text,
            Modality.Speech => CloudflareModels.Speech,
            _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, null),
        };
        var listed = _config.Models.TryGetValue(modality, out var extra) ? extra : [];
        return [.. listed.Concat(builtIn).Distinct(StringComparer.Ordinal)];
    }

    public string? CheckCapable(Modality modality, string? model, object request)
    {
        var models = ModelsFor(modality);
        var resolved = model ?? models[0];
        if (!models.Contains(resolved, StringComparer.Ordinal))
        {
            return $"{Name} does not serve the {modality.ToWire()} model '{resolved}'; it serves: {string.Join(", ", models)} (list more under providers.{Name}.models.{modality.ToWire()})";
        }

        return (modality, request) switch
        {
            (Modality.Image, ImageRequest image) => CheckImage(resolved, image),
            (Modality.Text, ChatRequest) => null,
            (Modality.Speech, SpeechRequest speech) => CheckSpeech(speech),
            _ => $"{Name} cannot serve a {request?.GetType().Name ?? "missing"} request as {modality.ToWire()}",
        };
    }

    public async ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resolved = model ?? ModelsFor(Modality.Image)[0];
        if (NotReady() is { } notReady)
        {
            return notReady;
        }

        if (CheckImage(resolved, request) is { } problem)
        {
            return Invalid(problem);
        }

        var flux = CloudflareModels.IsFluxFamily(resolved);
        var body = flux
            ? new CloudflareImageBody { Prompt = request.Prompt, Seed = request.Seed }
            : new CloudflareImageBody
            {
                Prompt = request.Prompt,
                NegativePrompt = request.NegativePrompt,
                Width = UpstreamSide(request.Width),
                Height = UpstreamSide(request.Height),
                Seed = request.Seed,
            };

        var (response, failure) = await SendAsync(resolved, body, CloudflareJsonContext.Default.CloudflareImageBody, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        using (response)
        {
            var (bytes, readFailure) = await ReadPayloadAsync(response!, resolved, "image", cancellationToken).ConfigureAwait(false);
            if (readFailure is not null)
            {
                return readFailure;
            }

            if (bytes.Length == 0)
            {
                // The gateway's output check records this as empty_output.
                return new ImageOutput([]);
            }

            if (UpstreamImage.Fit(bytes, request.Width, request.Height) is not { } png)
            {
                return Failure(ErrorClass.Unavailable, $"{Name}: {resolved} answered {bytes.Length} bytes that are not an image", response!, "undecodable_output");
            }

            return new ImageOutput([new GeneratedImage(png, "image/png", request.Width, request.Height)]);
        }
    }

    public async ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resolved = model ?? ModelsFor(Modality.Text)[0];
        if (NotReady() is { } notReady)
        {
            return notReady;
        }

        var (response, failure) = await SendAsync(resolved, ChatBody(request, stream: false), CloudflareJsonContext.Default.CloudflareChatBody, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        using (response)
        {
            var text = await response!.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var envelope = CloudflareErrors.ReadEnvelope(text);
            if (envelope is null)
            {
                return Failure(ErrorClass.Unavailable, $"{Name}: {resolved} answered 200 with a body that is not the Workers AI envelope: {UpstreamHttp.Shorten(text)}", response, "unexpected_body");
            }

            if (envelope.Success == false)
            {
                return CloudflareErrors.Map(Name, resolved, (int)response.StatusCode, text, null);
            }

            var content = ReadResponseText(envelope.Result);
            var usage = ReadUsage(envelope.Result);
            var promptTokens = usage?.PromptTokens ?? ChatText.EstimatePromptTokens(request);
            var completionTokens = usage?.CompletionTokens ?? ChatText.EstimateTokens(content);
            var finish = request.MaxTokens is { } max && usage?.CompletionTokens >= max ? "length" : "stop";
            return new ChatOutput(content, finish, promptTokens, completionTokens);
        }
    }

    public async ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resolved = model ?? ModelsFor(Modality.Speech)[0];
        if (NotReady() is { } notReady)
        {
            return notReady;
        }

        if (CheckSpeech(request) is { } problem)
        {
            return Invalid(problem);
        }

        var body = new CloudflareSpeechBody(request.Input, _options.SpeechLang);
        var (response, failure) = await SendAsync(resolved, body, CloudflareJsonContext.Default.CloudflareSpeechBody, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        using (response)
        {
            var (bytes, readFailure) = await ReadPayloadAsync(response!, resolved, "audio", cancellationToken).ConfigureAwait(false);
            if (readFailure is not null)
            {
                return readFailure;
            }

            if (bytes.Length == 0)
            {
                return new SpeechOutput(ReadOnlyMemory<byte>.Empty, AudioFormat.Mp3, TimeSpan.Zero);
            }

            if (!AudioInspector.HasSignature(AudioFormat.Mp3, bytes) || Mp3Frames.Duration(bytes) is not { } duration)
            {
                return Failure(ErrorClass.Unavailable, $"{Name}: {resolved} answered {bytes.Length} bytes that are not MP3 audio", response!, "undecodable_output");
            }

            return new SpeechOutput(bytes, AudioFormat.Mp3, duration);
        }
    }

    private string? CheckImage(string model, ImageRequest request)
    {
        if (request.Count != 1)
        {
            return $"{Name} generates one image per request, not {request.Count}";
        }

        if (request.Width is < CloudflareModels.MinServedSide or > CloudflareModels.MaxSide || request.Height is < CloudflareModels.MinServedSide or > CloudflareModels.MaxSide)
        {
            return $"{Name} serves sides from {CloudflareModels.MinServedSide} to {CloudflareModels.MaxSide} pixels, not {request.Width}x{request.Height}";
        }

        if (CloudflareModels.IsFluxFamily(model) && request.Prompt.Length > CloudflareModels.FluxMaxPrompt)
        {
            return $"{model} takes prompts of at most {CloudflareModels.FluxMaxPrompt} characters, not {request.Prompt.Length}";
        }

        return null;
    }

    private string? CheckSpeech(SpeechRequest request)
    {
        if (request.Format != AudioFormat.Mp3)
        {
            return $"{Name} (MeloTTS) produces mp3 only, not {request.Format.ToWire()}";
        }

        return Math.Abs(request.Speed - 1.0) > 1e-9 ? $"{Name} (MeloTTS) has no speed control; speed {request.Speed} cannot be honoured" : null;
    }

    // The diffusion models take 256..2048 in steps of 8; the answer is scaled to the exact size afterwards.
    private static int UpstreamSide(int side) => Math.Clamp((side + 7) / 8 * 8, CloudflareModels.MinSide, CloudflareModels.MaxSide);

    private static CloudflareChatBody ChatBody(ChatRequest request, bool stream) => new()
    {
        Messages = [.. request.Messages.Select(m => new CloudflareMessage(string.Equals(m.Role, "developer", StringComparison.OrdinalIgnoreCase) ? "system" : m.Role, m.Content))],
        MaxTokens = request.MaxTokens,
        Temperature = request.Temperature,
        TopP = request.TopP,
        Seed = request.Seed,
        Stream = stream ? true : null,
    };

    private ProviderFailure? NotReady() => Readiness.IsReady
        ? null
        : new ProviderFailure { Class = ErrorClass.Misconfigured, Message = $"{Name}: {Readiness.Problem}", Code = "misconfigured", Step = "validate" };

    /// <summary>Sends one call; a non-success status comes back as its mapped failure, the response already disposed.</summary>
    private async ValueTask<(HttpResponseMessage? Response, ProviderFailure? Failure)> SendAsync<TBody>(
        string model, TBody body, JsonTypeInfo<TBody> typeInfo, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, $"{_baseUrl}/accounts/{_options.AccountId}/ai/run/{model}")
        {
            Content = new StringContent(JsonSerializer.Serialize(body, typeInfo), Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _config.ApiKey!.Reveal());

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            Log.ConnectionFailed(_logger, Name, model, exception.Message);
            return (null, UpstreamHttp.ConnectionFailed(Name, exception));
        }

        if (response.IsSuccessStatusCode)
        {
            return (response, null);
        }

        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                return (null, UpstreamHttp.BodyFailed(Name, (int)response.StatusCode, exception));
            }

            var failure = CloudflareErrors.Map(Name, model, (int)response.StatusCode, text, UpstreamHttp.RetryAfter(response.Headers, _timeProvider));
            Log.UpstreamFailed(_logger, Name, model, (int)response.StatusCode, failure.Code, failure.Class.ToWire());
            return (null, failure);
        }
    }

    /// <summary>
    /// The bytes of a 200 answer: the body itself when it is the raw media (e.g. <c>image/png</c>, <c>audio/mpeg</c>),
    /// else the base64 string at <c>result.{field}</c> of the JSON envelope. Empty when the result holds nothing.
    /// </summary>
    private async ValueTask<(byte[] Bytes, ProviderFailure? Failure)> ReadPayloadAsync(HttpResponseMessage response, string model, string field, CancellationToken cancellationToken)
    {
        byte[] raw;
        try
        {
            raw = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return ([], UpstreamHttp.BodyFailed(Name, (int)response.StatusCode, exception));
        }

        var mediaType = UpstreamHttp.MediaType(response);
        if (!mediaType.Contains("json", StringComparison.Ordinal))
        {
            return (raw, null);
        }

        var text = Encoding.UTF8.GetString(raw);
        var envelope = CloudflareErrors.ReadEnvelope(text);
        if (envelope is null)
        {
            return ([], Failure(ErrorClass.Unavailable, $"{Name}: {model} answered JSON that is not the Workers AI envelope: {UpstreamHttp.Shorten(text)}", response, "unexpected_body"));
        }

        if (envelope.Success == false)
        {
            return ([], CloudflareErrors.Map(Name, model, (int)response.StatusCode, text, null));
        }

        if (envelope.Result is not { ValueKind: JsonValueKind.Object } result
            || !result.TryGetProperty(field, out var encoded)
            || encoded.ValueKind != JsonValueKind.String
            || encoded.GetString() is not { Length: > 0 } base64)
        {
            return ([], null);
        }

        try
        {
            return (Convert.FromBase64String(StripDataUri(base64)), null);
        }
        catch (FormatException)
        {
            return ([], Failure(ErrorClass.Unavailable, $"{Name}: {model} answered result.{field} that is not base64", response, "undecodable_output"));
        }
    }

    private static string StripDataUri(string value)
    {
        var comma = value.StartsWith("data:", StringComparison.Ordinal) ? value.IndexOf(',', StringComparison.Ordinal) : -1;
        return comma >= 0 ? value[(comma + 1)..] : value;
    }

    /// <summary>The reply text: <c>result.response</c> (a string, or JSON when the model answered structured output), else an OpenAI-style <c>choices[0].message.content</c>.</summary>
    private static string ReadResponseText(JsonElement? result)
    {
        if (result is not { ValueKind: JsonValueKind.Object } value)
        {
            return string.Empty;
        }

        if (value.TryGetProperty("response", out var response))
        {
            return response.ValueKind switch
            {
                JsonValueKind.String => response.GetString() ?? string.Empty,
                JsonValueKind.Null => string.Empty,
                _ => response.GetRawText(),
            };
        }

        if (value.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("message", out var message) && message.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String)
        {
            return content.GetString() ?? string.Empty;
        }

        return string.Empty;
    }

    private static CloudflareUsage? ReadUsage(JsonElement? result)
    {
        if (result is not { ValueKind: JsonValueKind.Object } value || !value.TryGetProperty("usage", out var usage) || usage.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return usage.Deserialize(CloudflareJsonContext.Default.CloudflareUsage);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private ProviderFailure Invalid(string message) => new()
    {
        Class = ErrorClass.InvalidRequest,
        Message = $"{Name}: {message}",
        Code = "not_capable",
        Step = "validate",
    };

    private static ProviderFailure Failure(ErrorClass errorClass, string message, HttpResponseMessage response, string code) => new()
    {
        Class = errorClass,
        Message = message,
        HttpStatus = (int)response.StatusCode,
        Code = code,
        Step = "receive",
    };

    /// <summary>
    /// Misconfigured when the account id or the token is absent in this environment: the message names the setting and
    /// the variable, the way a missing Workers AI binding shows up in one environment and not another.
    /// </summary>
    private static ProviderReadiness CheckReadiness(ProviderConfig config, CloudflareWorkersAiOptions options)
    {
        var problems = new List<string>();
        var tokenVariable = config.ApiKey?.Variable;
        if (options.AccountId.Length == 0)
        {
            var candidates = config.MissingSecrets.Where(v => !string.Equals(v, tokenVariable, StringComparison.Ordinal)).ToList();
            var cause = candidates.Count switch
            {
                0 => "it is empty",
                1 => $"{candidates[0]} is not set in this environment",
                _ => $"one of {string.Join(", ", candidates)} is not set in this environment",
            };
            problems.Add($"account_id is missing ({cause}): the Workers AI binding is absent; set the account id and restart");
        }

        if (config.ApiKey is null)
        {
            problems.Add("api_key is missing: Workers AI needs an API token, e.g. api_key: ${CLOUDFLARE_API_TOKEN}");
        }
        else if (!config.ApiKey.IsPresent)
        {
            problems.Add($"api_key is missing ({config.ApiKey.Variable ?? "the token"} is not set in this environment): set the Workers AI API token and restart");
        }

        return problems.Count == 0 ? ProviderReadiness.Ready : ProviderReadiness.Misconfigured(string.Join("; ", problems));
    }
}
