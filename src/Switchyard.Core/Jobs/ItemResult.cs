namespace Switchyard.Jobs;

/// <summary>How an attempt of an item ended, as the worker reports it.</summary>
public sealed record ItemResult
{
    /// <summary>Whether it produced an output.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>The text output (text items).</summary>
    public string? OutputText { get; init; }

    /// <summary>The stored artifacts (image and speech items).</summary>
    public IReadOnlyList<string> ArtifactIds { get; init; } = [];

    /// <summary>The error class of a failure (<c>timeout</c>, <c>invalid_request</c>…).</summary>
    public string? ErrorClass { get; init; }

    /// <summary>What the failure was.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>An output.</summary>
    public static ItemResult Success(string? text, IReadOnlyList<string> artifactIds) => new() { Succeeded = true, OutputText = text, ArtifactIds = artifactIds };

    /// <summary>A failure.</summary>
    public static ItemResult Failure(string errorClass, string message) => new() { Succeeded = false, ErrorClass = errorClass, ErrorMessage = message };
}
