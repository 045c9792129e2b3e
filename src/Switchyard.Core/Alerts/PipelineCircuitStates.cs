using Switchyard.Resilience;

namespace Switchyard.Alerts;

/// <summary>Circuit state as the in-process <see cref="ProviderPipelines"/> record it in their transitions.</summary>
public sealed class PipelineCircuitStates : ICircuitStates
{
    private readonly ProviderPipelines _pipelines;

    /// <summary>Reads <paramref name="pipelines"/>.</summary>
    public PipelineCircuitStates(ProviderPipelines pipelines)
    {
        _pipelines = pipelines;
    }

    /// <inheritdoc />
    public DateTimeOffset? OpenSince(string provider) => OpenSince(_pipelines.Transitions, provider);

    /// <summary>
    /// The time of the first transition away from closed after the last close. Half-open counts
    /// as open: a provider that keeps failing its probes goes open, half-open, open again, and
    /// the outage is one outage.
    /// </summary>
    public static DateTimeOffset? OpenSince(IEnumerable<CircuitTransition> transitions, string provider)
    {
        DateTimeOffset? since = null;
        foreach (var transition in transitions)
        {
            if (!string.Equals(transition.Provider, provider, StringComparison.Ordinal))
            {
                continue;
            }

            if (string.Equals(transition.State, "closed", StringComparison.Ordinal))
            {
                since = null;
            }
            else
            {
                since ??= transition.At;
            }
        }

        return since;
    }
}
