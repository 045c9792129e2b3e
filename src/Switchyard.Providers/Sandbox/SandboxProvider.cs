using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Sandbox;

/// <summary>
/// An emulated upstream AI service (<c>type: sandbox</c>): deterministic images, text and speech after a configured latency,
/// with random faults in configured ratios and faults forced by prompt directives such as <c>[fail:unavailable@sandbox-a]</c>.
/// </summary>
/// <remarks>
/// The <c>timeout</c> fault never answers: it waits until the cancellation token fires (the gateway's attempt timeout)
/// or the provider's own <see cref="ProviderConfig.Timeout"/> passes, then returns a <see cref="ErrorClass.Timeout"/> failure.
/// Cancellation during the simulated latency propagates as <see cref="OperationCanceledException"/>, as with any adapter.
/// </remarks>
public sealed partial class SandboxProvider : IGenerationProvider
{
    /// <summary>The image model.</summary>
    public const string ImageModel = "sandbox-image";

    /// <summary>The text model.</summary>
    public const string TextModel = "sandbox-text";

    /// <summary>The speech model.</summary>
    public const string SpeechModel = "sandbox-speech";

    /// <summary>The image sizes it serves, as width and height.</summary>
    public static IReadOnlyList<(int Width, int Height)> ImageSizes { get; } =
        [(256, 256), (512, 512), (1024, 1024), (1024, 1536), (1536, 1024), (1792, 1024), (1024, 1792)];

    /// <summary>The most images per request.</summary>
    public const int MaxImages = 4;

    // Longer input is cut before speaking, so a demo never waits on minutes of espeak-ng audio.
    private const int MaxSpokenChars = 500;

    private readonly ProviderConfig _config;
    private readonly SandboxOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly FaultInjector _faults;
    private readonly AudioEncoder _encoder;
    private readonly SpeechEngine _speech;

    /// <summary>Creates a sandbox provider.</summary>
    /// <param name="config">Its config entry (name, timeout, extra models).</param>
    /// <param name="options">Its latency and faults, e.g. from <see cref="SandboxOptions.FromSettings"/>.</param>
    /// <param name="timeProvider">The clock the latency and timeout waits use.</param>
    /// <param name="logger">Where injected faults are logged at debug level.</param>
    public SandboxProvider(ProviderConfig config, SandboxOptions options, TimeProvider timeProvider, ILogger? logger = null)
        : this(config, options, timeProvider, logger, AudioEncoder.Default, SpeechEngine.Default)
    {
    }

    internal SandboxProvider(ProviderConfig config, SandboxOptions options, TimeProvider timeProvider, ILogger? logger, AudioEncoder encoder, SpeechEngine speech)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _config = config;
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        _faults = new FaultInjector(options);
        _encoder = encoder;
        _speech = speech;
    }

    /// <inheritdoc />
    public string Name => _config.Name;

    /// <inheritdoc />
    public string Type => SandboxProviderFactory.TypeName;

    /// <inheritdoc />
    public ProviderReadiness Readiness => ProviderReadiness.Ready;

    /// <inheritdoc />
    public IReadOnlyList<string> ModelsFor(Modality modality)
    {
        var builtIn = modality switch
        {
            Modality.Image => ImageModel,
            Modality.Text => TextModel,
            Modality.Speech => SpeechModel,
            _ => throw new ArgumentOutOfRangeException(nameof(modality), modality, null),
        };
        var extra = _config.Models.TryGetValue(modality, out var listed) ? listed : [];
        return [builtIn, .. extra.Where(m => !string.Equals(m, builtIn, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public bool SupportsImageInputs => true;

    /// <inheritdoc />
    public string? CheckCapable(Modality modality, string? model, object request)
    {
        var models = ModelsFor(modality);
        if (model is not null && !models.Contains(model, StringComparer.Ordinal))
        {
            return $"{Name} does not serve the {modality.ToWire()} model '{model}'; it serves: {string.Join(", ", models)}";
        }

        return (modality, request) switch
        {
            (Modality.Image, ImageRequest image) => CheckImage(image),
            (Modality.Text, ChatRequest) => null,
            (Modality.Speech, SpeechRequest speech) => _encoder.WhyUnavailable(speech.Format),
            _ => $"{Name} cannot serve a {request?.GetType().Name ?? "missing"} request as {modality.ToWire()}",
        };
    }

    /// <inheritdoc />
    public async ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (failure, empty) = await BeginAsync(request.Prompt, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (CheckImage(request) is { } problem)
        {
            return Invalid(problem);
        }

        if (empty)
        {
            return new ImageOutput([]);
        }

        // Directives are instructions to the sandbox, not part of the picture: sandbox-a and sandbox-b draw the same image.
        var prompt = SandboxDirective.Strip(request.Prompt);
        var images = new List<GeneratedImage>(request.Count);
        for (var i = 0; i < request.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var png = request.IsEdit
                ? ImageRenderer.Edit(request.Inputs[i % request.Inputs.Count].Data, "sandbox edit", prompt, request.Seed, i, request.Strength ?? 0.5, request.Width, request.Height)
                : ImageRenderer.Sandbox(prompt, request.Seed, i, request.Width, request.Height);
            images.Add(new GeneratedImage(png, "image/png", request.Width, request.Height));
        }

        return new ImageOutput(images);
    }

    /// <inheritdoc />
    public async ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (failure, empty) = await BeginAsync(ChatText.Prompt(request), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        var promptTokens = ChatText.EstimatePromptTokens(request);
        if (empty)
        {
            return new ChatOutput(string.Empty, "stop", promptTokens, 0);
        }

        var (content, finish) = SandboxText.Compose(request);
        return new ChatOutput(content, finish, promptTokens, ChatText.EstimateTokens(content));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (failure, empty) = await BeginAsync(ChatText.Prompt(request), cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            yield return ChatStreamEvent.Fail(failure);
            yield break;
        }

        var finish = "stop";
        if (!empty)
        {
            (var content, finish) = SandboxText.Compose(request);
            foreach (var chunk in ChatText.Chunks(content))
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return ChatStreamEvent.Text(chunk);
                await Task.Yield();
            }
        }

        yield return ChatStreamEvent.Finish(finish);
    }

    /// <inheritdoc />
    public async ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (failure, empty) = await BeginAsync(request.Input, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        if (_encoder.WhyUnavailable(request.Format) is { } problem)
        {
            return Invalid(problem);
        }

        if (empty)
        {
            return new SpeechOutput(ReadOnlyMemory<byte>.Empty, request.Format, TimeSpan.Zero);
        }

        var text = SandboxDirective.Strip(request.Input);
        text = "Sandbox. " + (text.Length > MaxSpokenChars ? text[..MaxSpokenChars] : text);
        PcmAudio audio;
        try
        {
            audio = await _speech.SpeakAsync(text, request.Voice, request.Speed, cancellationToken).ConfigureAwait(false);
        }
        catch (AudioEncodingException exception)
        {
            Log.SpeechFallback(_logger, Name, exception.Message);
            audio = ToneGenerator.Melody(text, request.Speed);
        }

        // pcm is 24 kHz by contract; resampling first keeps the reported duration that of the bytes returned.
        if (request.Format == AudioFormat.Pcm)
        {
            audio = audio.Resample(PcmAudio.OpenAISampleRate);
        }

        try
        {
            var bytes = await _encoder.EncodeAsync(audio, request.Format, cancellationToken).ConfigureAwait(false);
            return new SpeechOutput(bytes, request.Format, audio.Duration);
        }
        catch (AudioEncodingException exception)
        {
            Log.EncoderFailed(_logger, Name, request.Format.ToWire(), exception.Message);
            return new ProviderFailure
            {
                Class = ErrorClass.Unavailable,
                Message = $"sandbox: encoding {request.Format.ToWire()} failed: {exception.Message}",
                Code = "encoder_failed",
                Step = "receive",
            };
        }
    }

    private string? CheckImage(ImageRequest request)
    {
        if (!ImageSizes.Contains((request.Width, request.Height)))
        {
            return $"{Name} does not generate {request.Width}x{request.Height} images; sizes: {string.Join(", ", ImageSizes.Select(s => $"{s.Width}x{s.Height}"))}";
        }

        if (request.Count is < 1 or > MaxImages)
        {
            return $"{Name} generates 1 to {MaxImages} images per request, not {request.Count}";
        }

        return null;
    }

    private static ProviderFailure Invalid(string message) => new()
    {
        Class = ErrorClass.InvalidRequest,
        Message = "sandbox: " + message,
        HttpStatus = 400,
        Code = "invalid_request_error",
        Step = "validate",
    };

    // The start of every call: the simulated latency, then a forced or random fault, or the [empty] directive.
    private async ValueTask<(ProviderFailure? Failure, bool Empty)> BeginAsync(string prompt, CancellationToken cancellationToken)
    {
        if (_options.Latency > TimeSpan.Zero)
        {
            await Task.Delay(_options.Latency, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        var directive = SandboxDirective.Read(prompt, Name);
        if (directive.Fault is { } forced)
        {
            if (!WireNames.TryParseErrorClass(forced, out var forcedClass)
                || !(SandboxOptions.FaultClasses.Contains(forcedClass) || forcedClass == ErrorClass.InvalidRequest))
            {
                return (Invalid($"unknown forced fault '[fail:{forced}]'; expected one of {string.Join(", ", SandboxOptions.FaultClasses.Select(c => c.ToWire()))}, invalid_request"), false);
            }

            Log.FaultInjected(_logger, Name, forcedClass.ToWire(), forced: true);
            return (await FailAsync(forcedClass, $" (forced by [fail:{forced}])", cancellationToken).ConfigureAwait(false), false);
        }

        if (directive.Empty)
        {
            return (null, true);
        }

        if (_faults.Draw() is { } drawn)
        {
            Log.FaultInjected(_logger, Name, drawn.ToWire(), forced: false);
            return (await FailAsync(drawn, string.Empty, cancellationToken).ConfigureAwait(false), false);
        }

        return (null, false);
    }

    private async ValueTask<ProviderFailure> FailAsync(ErrorClass errorClass, string suffix, CancellationToken cancellationToken)
    {
        switch (errorClass)
        {
            case ErrorClass.RateLimited:
                return new ProviderFailure
                {
                    Class = ErrorClass.RateLimited,
                    Message = $"sandbox: simulated 429 Too Many Requests: rate limit exceeded, retry after {Duration.Format(_options.RetryAfter)}{suffix}",
                    HttpStatus = 429,
                    Code = "rate_limit_exceeded",
                    RetryAfter = _options.RetryAfter,
                    Step = "receive",
                };
            case ErrorClass.Unavailable:
                return Failure(ErrorClass.Unavailable, $"sandbox: simulated 503 Service Unavailable{suffix}", 503, "server_error");
            case ErrorClass.ContentRejected:
                return Failure(ErrorClass.ContentRejected, $"sandbox: simulated 400: the request was rejected by the content policy{suffix}", 400, "content_policy_violation");
            case ErrorClass.Auth:
                return Failure(ErrorClass.Auth, $"sandbox: simulated 401 Unauthorized: invalid API key{suffix}", 401, "invalid_api_key");
            case ErrorClass.InvalidRequest:
                return Failure(ErrorClass.InvalidRequest, $"sandbox: simulated 400 Bad Request{suffix}", 400, "invalid_request_error");
            case ErrorClass.Timeout:
                // An upstream that never answers: wait for the attempt's cancellation (or our own timeout), then report it.
                try
                {
                    await Task.Delay(_config.Timeout, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Expected: this is how the simulated timeout ends.
                }

                return new ProviderFailure
                {
                    Class = ErrorClass.Timeout,
                    Message = $"sandbox: simulated timeout: no answer before the attempt was cancelled or {Duration.Format(_config.Timeout)} passed{suffix}",
                    Code = "timeout",
                    Step = "receive",
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(errorClass), errorClass, null);
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
