using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Placeholder;

/// <summary>
/// The last tier of a route (<c>type: placeholder</c>): answers every request at once, honestly marked as a placeholder.
/// Images are calm PNGs of any size up to 2048x2048, text is a fixed reply, speech a short clip.
/// </summary>
public sealed partial class PlaceholderProvider : IGenerationProvider
{
    /// <summary>The one model of every modality.</summary>
    public const string Model = "placeholder";

    /// <summary>The largest image side.</summary>
    public const int MaxSide = 2048;

    /// <summary>The most images per request.</summary>
    public const int MaxImages = 4;

    /// <summary>The reply of every chat.</summary>
    public const string Reply = "[placeholder] The text providers of this route are unavailable; this is a placeholder reply.";

    private static readonly TimeSpan SilenceLength = TimeSpan.FromSeconds(1);

    private readonly ProviderConfig _config;
    private readonly ILogger _logger;
    private readonly AudioEncoder _encoder;
    private readonly SpeechEngine _speech;

    /// <summary>Creates the placeholder provider.</summary>
    /// <param name="config">Its config entry.</param>
    /// <param name="logger">Where encoder trouble is logged.</param>
    public PlaceholderProvider(ProviderConfig config, ILogger? logger = null)
        : this(config, logger, AudioEncoder.Default, SpeechEngine.Default)
    {
    }

    internal PlaceholderProvider(ProviderConfig config, ILogger? logger, AudioEncoder encoder, SpeechEngine speech)
    {
        ArgumentNullException.ThrowIfNull(config);
        _config = config;
        _logger = logger ?? NullLogger.Instance;
        _encoder = encoder;
        _speech = speech;
    }

    /// <inheritdoc />
    public string Name => _config.Name;

    /// <inheritdoc />
    public string Type => PlaceholderProviderFactory.TypeName;

    /// <inheritdoc />
    public ProviderReadiness Readiness => ProviderReadiness.Ready;

    /// <inheritdoc />
    public IReadOnlyList<string> ModelsFor(Modality modality) => [Model];

    /// <inheritdoc />
    public string? CheckCapable(Modality modality, string? model, object request)
    {
        if (model is not null && !string.Equals(model, Model, StringComparison.Ordinal))
        {
            return $"{Name} does not serve the {modality.ToWire()} model '{model}'; it serves: {Model}";
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
    public bool SupportsImageInputs => true;

    /// <inheritdoc />
    public ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (CheckImage(request) is { } problem)
        {
            return ValueTask.FromResult<ProviderResult<ImageOutput>>(Invalid(problem));
        }

        var images = new List<GeneratedImage>(request.Count);
        for (var i = 0; i < request.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            // An edit's placeholder is its input, labelled: closer to what was asked than an abstract picture.
            var png = request.IsEdit
                ? ImageRenderer.Edit(request.Inputs[i % request.Inputs.Count].Data, "placeholder", request.Prompt, null, i, 0.15, request.Width, request.Height)
                : ImageRenderer.Placeholder(request.Prompt, request.Style, request.Width, request.Height);
            images.Add(new GeneratedImage(png, "image/png", request.Width, request.Height));
        }

        return ValueTask.FromResult<ProviderResult<ImageOutput>>(new ImageOutput(images));
    }

    /// <inheritdoc />
    public ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var content = Compose(request);
        return ValueTask.FromResult<ProviderResult<ChatOutput>>(
            new ChatOutput(content, "stop", ChatText.EstimatePromptTokens(request), ChatText.EstimateTokens(content)));
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        yield return ChatStreamEvent.Text(Compose(request));
        await Task.Yield();
        yield return ChatStreamEvent.Finish("stop");
    }

    /// <inheritdoc />
    public async ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_encoder.WhyUnavailable(request.Format) is { } problem)
        {
            return Invalid(problem);
        }

        var audio = ToneGenerator.Silence(SilenceLength);
        if (_speech.HasEspeak)
        {
            try
            {
                audio = await _speech.SpeakAsync("placeholder audio", request.Voice, request.Speed, cancellationToken).ConfigureAwait(false);
            }
            catch (AudioEncodingException exception)
            {
                // Silence is still an honest placeholder.
                Log.AudioFailed(_logger, Name, "espeak-ng", exception.Message);
            }
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
            Log.AudioFailed(_logger, Name, request.Format.ToWire(), exception.Message);
            return new ProviderFailure
            {
                Class = ErrorClass.Unavailable,
                Message = $"placeholder: encoding {request.Format.ToWire()} failed: {exception.Message}",
                Code = "encoder_failed",
                Step = "receive",
            };
        }
    }

    // A caller that asked for JSON gets valid JSON, with the fields it named when it named some.
    private static string Compose(ChatRequest request)
    {
        var prompt = ChatText.Prompt(request);
        if (!ChatText.WantsJson(request, prompt))
        {
            return Reply;
        }

        var fields = ChatText.RequestedFields(prompt);
        return fields.Count == 0
            ? ChatText.JsonObject([new("source", "placeholder"), new("reply", Reply)])
            : ChatText.JsonObject(fields.Select(f => new KeyValuePair<string, string>(f, $"placeholder {f.Replace('_', ' ')}")));
    }

    private string? CheckImage(ImageRequest request)
    {
        if (request.Width is < 1 or > MaxSide || request.Height is < 1 or > MaxSide)
        {
            return $"{Name} generates images up to {MaxSide}x{MaxSide}, not {request.Width}x{request.Height}";
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
        Message = "placeholder: " + message,
        HttpStatus = 400,
        Code = "invalid_request_error",
        Step = "validate",
    };
}
