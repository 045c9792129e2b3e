using System.Globalization;
using Switchyard.Artifacts;
using Switchyard.Providers;
using Switchyard.Routing;

namespace Switchyard.Generation;

/// <summary>A speech request on its way along a route; stores the audio when given a store (batch job items).</summary>
internal sealed class SpeechOperation : IGenerationOperation<SpeechOutput>
{
    private readonly SpeechRequest _request;
    private readonly OutputValidator _validator;
    private readonly IArtifactStore? _store;
    private readonly string? _keyId;

    public SpeechOperation(SpeechRequest request, OutputValidator validator, IArtifactStore? store = null, string? keyId = null)
    {
        _request = request;
        _validator = validator;
        _store = store;
        _keyId = keyId;
    }

    /// <summary>The stored audio, when a store was given.</summary>
    public ArtifactInfo? Artifact { get; private set; }

    public object Request => _request;

    // Speech of the same text, voice and format is the same speech.
    public bool Cacheable => true;

    public ValueTask<ProviderResult<SpeechOutput>> CallAsync(IGenerationProvider provider, string? model, CancellationToken cancellationToken) =>
        provider.SynthesizeSpeechAsync(model, _request, cancellationToken);

    public ProviderFailure? Validate(SpeechOutput output) => _validator.Check(_request, output);

    public async ValueTask<ProviderFailure?> FinishAsync(SpeechOutput output, string runId, CancellationToken cancellationToken)
    {
        if (_store is not null)
        {
            Artifact = await _store.SaveAsync(output.Audio, output.Format.ContentType(), _keyId, runId, cancellationToken);
        }

        return null;
    }

    public string? Summarize(SpeechOutput output) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"format":"{{output.Format.ToWire()}}","bytes":{{output.Audio.Length}},"duration_ms":{{output.Duration.TotalMilliseconds:0}}}""");
}
