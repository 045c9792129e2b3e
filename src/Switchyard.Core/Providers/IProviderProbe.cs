namespace Switchyard.Providers;

/// <summary>
/// A provider that can check, at no cost (a model listing or token check, never a billable
/// generation), that it is reachable and accepts its credentials. Used by <c>switchyard doctor</c>.
/// </summary>
public interface IProviderProbe
{
    /// <summary>Probes the provider; never throws for expected failures.</summary>
    Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>What a probe found.</summary>
/// <param name="Ok">Whether the provider answered and accepted its credentials.</param>
/// <param name="Detail">What it answered, or what went wrong.</param>
/// <param name="Fix">What to do about it, when not ok.</param>
/// <param name="ServedModels">The models it says it serves, when it listed them.</param>
public sealed record ProbeResult(bool Ok, string Detail, string? Fix = null, IReadOnlyList<string>? ServedModels = null);
