using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.OpenAI;

internal sealed partial class OpenAIProvider
{
    private const string SpeechPath = "/audio/speech";

    // Speech is estimated at about 15 characters a second at speed 1 when the format's length cannot be read.
    private const double CharsPerSecond = 15.0;

    private const long MaxAudioBytes = OpenAIProviderOptions.DefaultMaxDownloadBytes;

    public async ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (NotReady(Modality.Speech, model, out var resolved) is { } notReady)
        {
            return notReady;
        }

        var body = new OpenAIWire.SpeechRequest
        {
            Model = resolved,
            Input = request.Input,
            Voice = request.Voice,
            ResponseFormat = request.Format.ToWire(),
            Speed = request.Speed,
            Instructions = OpenAIModels.TakesInstructions(resolved) ? request.Instructions : null,
        };
        var (response, failure) = await PostAsync(SpeechPath, Json(body, OpenAIJsonContext.Default.SpeechRequest), resolved, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        byte[]? audio;
        using (response)
        {
            // A JSON answer with status 200 is an error in disguise (some proxies), not audio.
            if (response!.Content.Headers.ContentType?.MediaType is "application/json")
            {
                string? text = null;
                try
                {
                    text = await ReadTextAsync(response.Content, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException)
                {
                    // The message below says enough.
                }

                var error = OpenAIErrorMapper.Parse(text);
                return BadResponse($"{SpeechPath} answered JSON instead of audio: {OpenAIErrorMapper.Clean(error.Message ?? text ?? string.Empty, _config.ApiKey?.Reveal())}");
            }

            try
            {
                audio = await ReadBytesAsync(response.Content, MaxAudioBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                return OpenAIErrorMapper.FromException(Name, exception, "receive");
            }
        }

        if (audio is null)
        {
            return BadResponse($"the audio is larger than {MaxAudioBytes / (1024 * 1024)} MB");
        }

        // Empty audio is returned as such: the engine's output validator records it as empty_output.
        var duration = AudioInspector.GetDuration(request.Format, audio) ?? EstimateDuration(request);
        return new SpeechOutput(audio, request.Format, audio.Length == 0 ? TimeSpan.Zero : duration);
    }

    /// <summary>The playing time of compressed formats, estimated from the input's length and the speed (at least half a second).</summary>
    internal static TimeSpan EstimateDuration(SpeechRequest request)
    {
        var speed = request.Speed > 0 ? request.Speed : 1.0;
        return TimeSpan.FromSeconds(Math.Max(0.5, request.Input.Length / CharsPerSecond / speed));
    }
}
