using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Espeak;

/// <summary>
/// Offline text-to-speech through the espeak-ng program (<c>type: espeak</c>), speech only. OpenAI voice names map to
/// espeak-ng voice variants (e.g. <c>alloy</c> to <c>en-us+f2</c>), speed to words per minute; wav and pcm are written
/// in-process, mp3, opus and flac through lame, opusenc and flac when installed. Without espeak-ng the provider is
/// misconfigured (it never falls back to tones: that is the sandbox's and placeholder's job).
/// </summary>
internal sealed partial class EspeakProvider : IGenerationProvider
{
    /// <summary>The one model.</summary>
    public const string Model = "espeak-ng";

    /// <summary>Longer input is refused (not cut): espeak-ng speaks about 15 characters a second, and a run may take 30 s.</summary>
    public const int MaxInputChars = 4096;

    private readonly ProviderConfig _config;
    private readonly string? _espeakPath;
    private readonly SpeechEngine? _speech;
    private readonly AudioEncoder _encoder;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    public EspeakProvider(ProviderConfig config, string? espeakPath, AudioEncoder encoder, TimeProvider timeProvider, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(encoder);
        _config = config;
        _espeakPath = espeakPath;
        _speech = espeakPath is null ? null : new SpeechEngine(espeakPath, timeProvider);
        _encoder = encoder;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger.Instance;
        Readiness = espeakPath is null
            ? ProviderReadiness.Misconfigured("espeak-ng is not installed: apt-get install espeak-ng (it was not found on PATH)")
            : ProviderReadiness.Ready;
    }

    public string Name => _config.Name;

    public string Type => EspeakProviderFactory.TypeName;

    public ProviderReadiness Readiness { get; }

    /// <summary>Where espeak-ng was found, or null.</summary>
    public string? EspeakPath => _espeakPath;

    public IReadOnlyList<string> ModelsFor(Modality modality) => modality == Modality.Speech ? [Model] : [];

    public string? CheckCapable(Modality modality, string? model, object request)
    {
        if (modality != Modality.Speech || request is not SpeechRequest speech)
        {
            return $"{Name} (espeak-ng) synthesizes speech only, not {modality.ToWire()}";
        }

        if (model is not null && !string.Equals(model, Model, StringComparison.Ordinal))
        {
            return $"{Name} does not serve the speech model '{model}'; it serves: {Model}";
        }

        if (speech.Input.Length > MaxInputChars)
        {
            return $"{Name} speaks at most {MaxInputChars} characters per request, not {speech.Input.Length}";
        }

        return _encoder.WhyUnavailable(speech.Format);
    }

    public async ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_speech is null)
        {
            return new ProviderFailure { Class = ErrorClass.Misconfigured, Message = $"{Name}: {Readiness.Problem}", Code = "misconfigured", Step = "validate" };
        }

        if (CheckCapable(Modality.Speech, model, request) is { } problem)
        {
            return new ProviderFailure { Class = ErrorClass.InvalidRequest, Message = $"{Name}: {problem}", Code = "not_capable", Step = "validate" };
        }

        PcmAudio audio;
        try
        {
            audio = await _speech.SpeakAsync(request.Input, request.Voice, request.Speed, cancellationToken).ConfigureAwait(false);
        }
        catch (AudioEncodingException exception)
        {
            Log.ProgramFailed(_logger, Name, "espeak-ng", exception.Message);
            return new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{Name}: espeak-ng failed: {exception.Message}", Code = "espeak_failed", Step = "receive" };
        }

        if (request.Format == AudioFormat.Pcm)
        {
            // pcm is 24 kHz by contract; resampling first keeps the duration that of the bytes returned.
            audio = audio.Resample(PcmAudio.OpenAISampleRate);
        }

        try
        {
            var bytes = await _encoder.EncodeAsync(audio, request.Format, cancellationToken).ConfigureAwait(false);
            return new SpeechOutput(bytes, request.Format, audio.Duration);
        }
        catch (AudioEncodingException exception)
        {
            Log.ProgramFailed(_logger, Name, request.Format.ToWire(), exception.Message);
            return new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{Name}: encoding {request.Format.ToWire()} failed: {exception.Message}", Code = "encoder_failed", Step = "receive" };
        }
    }

    public ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ProviderResult<ImageOutput>>(NotSpeech(Modality.Image));

    public ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ProviderResult<ChatOutput>>(NotSpeech(Modality.Text));

    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.CompletedTask.ConfigureAwait(false);
        yield return ChatStreamEvent.Fail(NotSpeech(Modality.Text));
    }

    private ProviderFailure NotSpeech(Modality modality) => new()
    {
        Class = ErrorClass.InvalidRequest,
        Message = $"{Name} (espeak-ng) synthesizes speech only, not {modality.ToWire()}",
        Code = "not_capable",
        Step = "validate",
    };
}
