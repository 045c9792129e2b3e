using System.Globalization;
using Switchyard.Artifacts;
using Switchyard.Generation;
using Switchyard.Providers;
using Switchyard.Routing;

namespace Switchyard.Generation;

/// <summary>An image generation request on its way along a route; stores the images when the client wants links.</summary>
internal sealed class ImageOperation : IGenerationOperation<ImageOutput>
{
    private readonly ImageRequest _request;
    private readonly OutputValidator _validator;
    private readonly IArtifactStore? _store;
    private readonly string? _keyId;

    public ImageOperation(ImageRequest request, OutputValidator validator, IArtifactStore? storeForLinks, string? keyId)
    {
        _request = request;
        _validator = validator;
        _store = storeForLinks;
        _keyId = keyId;
    }

    public object Request => _request;

    public bool Cacheable => _request.Seed is not null;

    /// <summary>The stored artifacts of the served images, when links were asked for.</summary>
    public IReadOnlyList<ArtifactInfo> Artifacts { get; private set; } = [];

    public ValueTask<ProviderResult<ImageOutput>> CallAsync(IGenerationProvider provider, string? model, CancellationToken cancellationToken) =>
        provider.GenerateImageAsync(model, _request, cancellationToken);

    public ProviderFailure? Validate(ImageOutput output) => _validator.Check(_request, output);

    public async ValueTask<ProviderFailure?> FinishAsync(ImageOutput output, string runId, CancellationToken cancellationToken)
    {
        if (_store is null)
        {
            return null;
        }

        var stored = new List<ArtifactInfo>(output.Images.Count);
        foreach (var image in output.Images)
        {
            stored.Add(await _store.SaveAsync(image.Data, image.ContentType, _keyId, runId, cancellationToken));
        }

        Artifacts = stored;
        return null;
    }

    public string? Summarize(ImageOutput output)
    {
        var bytes = output.Images.Sum(i => (long)i.Data.Length);
        var ids = string.Join(",", Artifacts.Select(a => $"\"{a.Id}\""));
        return string.Create(CultureInfo.InvariantCulture, $$"""{"images":{{output.Images.Count}},"bytes":{{bytes}},"width":{{_request.Width}},"height":{{_request.Height}},"artifacts":[{{ids}}]}""");
    }
}
