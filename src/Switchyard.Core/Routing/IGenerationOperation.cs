using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Routing;

/// <summary>
/// One request's work, as the engine runs it on each tier in turn: the provider call, the check
/// that the output is usable, and what is done with it (e.g. storing artifacts) before the
/// attempt counts as a success.
/// </summary>
/// <typeparam name="T">The provider output type.</typeparam>
public interface IGenerationOperation<T>
    where T : class
{
    /// <summary>The request as providers see it (for capability checks).</summary>
    object Request { get; }

    /// <summary>Whether identical requests may be served from the route's cache (deterministic: a fixed seed, or speech).</summary>
    bool Cacheable { get; }

    /// <summary>Calls the provider.</summary>
    ValueTask<ProviderResult<T>> CallAsync(IGenerationProvider provider, string? model, CancellationToken cancellationToken);

    /// <summary>Null when the output is usable; otherwise why not.</summary>
    ProviderFailure? Validate(T output);

    /// <summary>Finishes a usable output (stores artifacts…); a failure here fails the attempt at step <c>store</c>.</summary>
    ValueTask<ProviderFailure?> FinishAsync(T output, string runId, CancellationToken cancellationToken);

    /// <summary>A JSON summary of the output for the ledger.</summary>
    string? Summarize(T output);
}
