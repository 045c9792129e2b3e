using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Stability;

/// <summary>
/// Stability AI's Stable Image generate endpoints (<c>type: stability</c>), images only:
/// <c>POST {base_url}/v2beta/stable-image/generate/{core|ultra|sd3}</c> as <c>multipart/form-data</c> with
/// <c>Authorization: Bearer {key}</c>. The requested size is served from the closest <c>aspect_ratio</c>: the image is
/// scaled to cover the size and the overflow cropped evenly, so any size from 64 to 2048 pixels a side between 21:9 and 9:21 works.
/// A <c>finish-reason: CONTENT_FILTERED</c> answer is a content rejection even with status 200.
/// Edits (image-to-image) send the input as the <c>image</c> file part with <c>strength</c> (and <c>mode=image-to-image</c>
/// on sd3): ultra and the sd3.5 models take them, core does not; the output follows the input's aspect ratio and is
/// fitted to the requested size like a generation.
/// </summary>
internal sealed partial class StabilityProvider : IGenerationProvider
{
    /// <summary>How far beyond 21:9 (or 9:21) a requested ratio may go and still be served by cropping.</summary>
    private const double RatioTolerance = 1.05;

    private readonly ProviderConfig _config;
    private readonly StabilityOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _baseUrl;

    public StabilityProvider(ProviderConfig config, StabilityOptions options, HttpClient http, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(http);
        _config = config;
        _options = options;
        _http = http;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _baseUrl = (config.BaseUrl ?? StabilityOptions.DefaultBaseUrl).TrimEnd('/');
        Readiness = config.ApiKey switch
        {
            null => ProviderReadiness.Misconfigured("api_key is missing: Stability needs an API key, e.g. api_key: ${STABILITY_API_KEY}"),
            { IsPresent: false } key => ProviderReadiness.Misconfigured($"api_key is missing ({key.Variable ?? "the key"} is not set in this environment): set the Stability API key and restart"),
            _ => ProviderReadiness.Ready,
        };
    }

    public string Name => _config.Name;

    public string Type => StabilityProviderFactory.TypeName;

    public ProviderReadiness Readiness { get; }

    public bool SupportsImageInputs => true;

    // The first model the config lists, else core.
    private string DefaultModel => ModelsFor(Modality.Image) is { Count: > 0 } models ? models[0] : StabilityModels.Core;

    public IReadOnlyList<string> ModelsFor(Modality modality)
    {
        if (modality != Modality.Image)
        {
            return [];
        }

        // Models listed in the config narrow the set, but only to ones that map to an endpoint.
        return _config.Models.TryGetValue(Modality.Image, out var listed) && listed.Count > 0
            ? [.. listed.Where(m => StabilityModels.All.Contains(m, StringComparer.Ordinal))]
            : StabilityModels.All;
    }

    public string? CheckCapable(Modality modality, string? model, object request)
    {
        if (modality != Modality.Image || request is not ImageRequest image)
        {
            return $"{Name} (Stability) generates images only, not {modality.ToWire()}";
        }

        var models = ModelsFor(Modality.Image);
        var resolved = model ?? DefaultModel;
        if (!models.Contains(resolved, StringComparer.Ordinal))
        {
            return $"{Name} does not serve the image model '{resolved}'; it serves: {string.Join(", ", models)}";
        }

        return CheckImage(image) ?? CheckEdit(resolved, image);
    }

    public async ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resolved = model ?? DefaultModel;
        if (!Readiness.IsReady)
        {
            return new ProviderFailure { Class = ErrorClass.Misconfigured, Message = $"{Name}: {Readiness.Problem}", Code = "misconfigured", Step = "validate" };
        }

        var problem = CheckImage(request) ?? (StabilityModels.All.Contains(resolved, StringComparer.Ordinal) ? CheckEdit(resolved, request) : $"unknown model '{resolved}'");
        if (problem is not null)
        {
            return new ProviderFailure { Class = ErrorClass.InvalidRequest, Message = $"{Name}: {problem}", Code = "not_capable", Step = "validate" };
        }

        using var message = new HttpRequestMessage(HttpMethod.Post, _baseUrl + StabilityModels.PathFor(resolved)) { Content = Form(resolved, request) };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _config.ApiKey!.Reveal());
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(_options.AcceptJson ? "application/json" : "image/*"));
        if (_options.ClientId is { } clientId)
        {
            message.Headers.TryAddWithoutValidation("stability-client-id", clientId);
        }

        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException exception)
        {
            Log.ConnectionFailed(_logger, Name, resolved, exception.Message);
            return UpstreamHttp.ConnectionFailed(Name, exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            byte[] raw;
            try
            {
                raw = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                return UpstreamHttp.BodyFailed(Name, status, exception);
            }

            if (!response.IsSuccessStatusCode)
            {
                var failure = StabilityErrors.Map(Name, resolved, status, Encoding.UTF8.GetString(raw), UpstreamHttp.RetryAfter(response.Headers, _timeProvider));
                Log.UpstreamFailed(_logger, Name, resolved, status, failure.Code, failure.Class.ToWire());
                return failure;
            }

            var (bytes, finishReason, readFailure) = ReadImage(response, raw, resolved);
            if (readFailure is not null)
            {
                return readFailure;
            }

            if (string.Equals(finishReason, "CONTENT_FILTERED", StringComparison.OrdinalIgnoreCase))
            {
                return Failure(ErrorClass.ContentRejected, $"{Name}: Stability filtered the {resolved} output (finish-reason: CONTENT_FILTERED); the image it sent is blurred", status, "content_filtered");
            }

            if (finishReason is { Length: > 0 } reason && !string.Equals(reason, "SUCCESS", StringComparison.OrdinalIgnoreCase))
            {
                return Failure(ErrorClass.Unavailable, $"{Name}: Stability finished the {resolved} generation with '{reason}'", status, "generation_error");
            }

            if (bytes.Length == 0)
            {
                return new ImageOutput([]);
            }

            if (UpstreamImage.Fit(bytes, request.Width, request.Height) is not { } png)
            {
                return Failure(ErrorClass.Unavailable, $"{Name}: {resolved} answered {bytes.Length} bytes that are not an image", status, "undecodable_output");
            }

            return new ImageOutput([new GeneratedImage(png, "image/png", request.Width, request.Height)]);
        }
    }

    public ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ProviderResult<ChatOutput>>(NotImages(Modality.Text));

    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return ChatStreamEvent.Fail(NotImages(Modality.Text));
    }

    public ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ProviderResult<SpeechOutput>>(NotImages(Modality.Speech));

    private ProviderFailure NotImages(Modality modality) => new()
    {
        Class = ErrorClass.InvalidRequest,
        Message = $"{Name} (Stability) generates images only, not {modality.ToWire()}",
        Code = "not_capable",
        Step = "validate",
    };

    private string? CheckImage(ImageRequest request)
    {
        if (request.Count != 1)
        {
            return $"{Name} generates one image per request, not {request.Count}";
        }

        if (request.Width is < StabilityModels.MinSide or > StabilityModels.MaxSide || request.Height is < StabilityModels.MinSide or > StabilityModels.MaxSide)
        {
            return $"{Name} serves sides from {StabilityModels.MinSide} to {StabilityModels.MaxSide} pixels, not {request.Width}x{request.Height}";
        }

        var ratio = (double)request.Width / request.Height;
        if (ratio > 21.0 / 9 * RatioTolerance || ratio < 9.0 / 21 / RatioTolerance)
        {
            return $"{Name} serves aspect ratios from 9:21 to 21:9; {request.Width}x{request.Height} is outside them";
        }

        return null;
    }

    // What the generate endpoints take as an input image: one JPEG, PNG or WebP, no mask (that is the inpaint
    // endpoint), at least 64 pixels a side, at most 9,437,184 pixels, between 1:2.5 and 2.5:1.
    private string? CheckEdit(string model, ImageRequest request)
    {
        if (!request.IsEdit)
        {
            return null;
        }

        if (model == StabilityModels.Core)
        {
            return $"{Name}: Stable Image Core does not take an input image; use ultra or an sd3.5 model for edits";
        }

        if (request.Inputs.Count != 1)
        {
            return $"{Name} edits one input image per request, not {request.Inputs.Count}";
        }

        if (request.Mask is not null)
        {
            return $"{Name}: Stability's generate endpoints take no mask; send the edit without one or route it to a provider that takes masks";
        }

        var input = request.Inputs[0];
        if (input.ContentType is not ("image/png" or "image/jpeg" or "image/webp"))
        {
            return $"{Name} takes PNG, JPEG or WebP input images, not {input.ContentType}";
        }

        var ratio = (double)input.Width / input.Height;
        if (input.Width < StabilityModels.MinSide || input.Height < StabilityModels.MinSide || (long)input.Width * input.Height > StabilityModels.MaxInputPixels || ratio > 2.5 || ratio < 1 / 2.5)
        {
            return $"{Name} takes input images of at least {StabilityModels.MinSide} pixels a side, at most {StabilityModels.MaxInputPixels:N0} pixels and between 1:2.5 and 2.5:1, not {input.Width}x{input.Height}";
        }

        return null;
    }

    private static MultipartFormDataContent Form(string model, ImageRequest request)
    {
        var form = new MultipartFormDataContent();
        void Field(string name, string value) => form.Add(new StringContent(value, Encoding.UTF8), name);

        Field("prompt", request.Prompt);
        if (!string.IsNullOrWhiteSpace(request.NegativePrompt) && StabilityModels.TakesNegativePrompt(model))
        {
            Field("negative_prompt", request.NegativePrompt);
        }

        if (request.IsEdit)
        {
            // The output follows the input's aspect ratio: aspect_ratio is a text-to-image field.
            var input = request.Inputs[0];
            var file = new ReadOnlyMemoryContent(input.Data);
            file.Headers.ContentType = new MediaTypeHeaderValue(input.ContentType);
            form.Add(file, "image", "image." + input.ContentType["image/".Length..]);
            Field("strength", (request.Strength ?? StabilityModels.DefaultStrength).ToString("0.###", CultureInfo.InvariantCulture));
        }
        else
        {
            Field("aspect_ratio", StabilityModels.ClosestAspectRatio(request.Width, request.Height).Name);
        }
        if (request.Seed is { } seed and >= 0 and <= StabilityModels.MaxSeed)
        {
            Field("seed", seed.ToString(CultureInfo.InvariantCulture));
        }

        Field("output_format", "png");
        if (request.Style is { } style && StabilityModels.StylePresets.Contains(style))
        {
            Field("style_preset", style);
        }

        if (StabilityModels.Sd3.Contains(model, StringComparer.Ordinal))
        {
            Field("model", model);
            Field("mode", request.IsEdit ? "image-to-image" : "text-to-image");
        }

        return form;
    }

    /// <summary>The image of a 200 answer: raw bytes with the <c>finish-reason</c> header, or the JSON reply's base64 <c>image</c> and <c>finish_reason</c>.</summary>
    private (byte[] Bytes, string? FinishReason, ProviderFailure? Failure) ReadImage(HttpResponseMessage response, byte[] raw, string model)
    {
        var header = response.Headers.TryGetValues("finish-reason", out var values) ? values.FirstOrDefault() : null;
        if (!UpstreamHttp.MediaType(response).Contains("json", StringComparison.Ordinal))
        {
            return (raw, header, null);
        }

        StabilityImageReply? reply;
        try
        {
            reply = JsonSerializer.Deserialize(raw, StabilityJsonContext.Default.StabilityImageReply);
        }
        catch (JsonException)
        {
            reply = null;
        }

        if (reply is null)
        {
            return ([], null, Failure(ErrorClass.Unavailable, $"{Name}: {model} answered JSON that is not an image reply: {UpstreamHttp.Shorten(Encoding.UTF8.GetString(raw))}", (int)response.StatusCode, "unexpected_body"));
        }

        var finishReason = reply.FinishReason ?? header;
        if (string.IsNullOrEmpty(reply.Image))
        {
            return ([], finishReason, null);
        }

        try
        {
            return (Convert.FromBase64String(reply.Image), finishReason, null);
        }
        catch (FormatException)
        {
            return ([], finishReason, Failure(ErrorClass.Unavailable, $"{Name}: {model} answered an image that is not base64", (int)response.StatusCode, "undecodable_output"));
        }
    }

    private static ProviderFailure Failure(ErrorClass errorClass, string message, int status, string code) => new()
    {
        Class = errorClass,
        Message = message,
        HttpStatus = status,
        Code = code,
        Step = "receive",
    };
}
