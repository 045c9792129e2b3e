using Switchyard.Generation;

namespace Switchyard.Jobs;

/// <summary>One item of a submitted job.</summary>
public sealed record NewJobItem
{
    /// <summary>The item's id, unique within the job.</summary>
    public required string ItemId { get; init; }

    /// <summary>What it generates.</summary>
    public required Modality Type { get; init; }

    /// <summary>The route its requests run on (after resolving a preset), for the per-route concurrency limit.</summary>
    public required string Route { get; init; }

    /// <summary>The item's request as submitted (JSON), templates unexpanded.</summary>
    public required string Spec { get; init; }

    /// <summary>The ids of earlier items whose success it needs.</summary>
    public IReadOnlyList<string> DependsOn { get; init; } = [];
}
