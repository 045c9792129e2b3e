using System.Globalization;
using Switchyard.Providers;
using Switchyard.Routing;

namespace Switchyard.Generation;

/// <summary>A speech request on its way along a route.</summary>
internal sealed class SpeechOperation : IGenerationOperation<SpeechOutput>
{
    private readonly SpeechRequest _request;
    private readonly OutputValidator _validator;

    public SpeechOperation(SpeechRequest request, OutputValidator validator)
    {
        _request = request;
        _validator = validator;
    }

    public object Request => _request;

    // Speech of the same text, voice and format is the same speech.
    public bool Cacheable => true;

    public ValueTask<ProviderResult<SpeechOutput>> CallAsync(IGenerationProvider provider, string? model, CancellationToken cancellationToken) =>
        provider.SynthesizeSpeechAsync(model, _request, cancellationToken);

    public ProviderFailure? Validate(SpeechOutput output) => _validator.Check(_request, output);

    public ValueTask<ProviderFailure?> FinishAsync(SpeechOutput output, string runId, CancellationToken cancellationToken) => ValueTask.FromResult<ProviderFailure?>(null);

    public string? Summarize(SpeechOutput output) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"format":"{{output.Format.ToWire()}}","bytes":{{output.Audio.Length}},"duration_ms":{{output.Duration.TotalMilliseconds:0}}}""");
}
