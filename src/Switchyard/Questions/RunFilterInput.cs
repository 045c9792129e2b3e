namespace Switchyard.Questions;

/// <summary>The run filters as text, from query parameters or command-line options, before they are checked.</summary>
internal sealed record RunFilterInput
{
    /// <summary>The name the outcome came under (<c>outcome</c>, or its alias <c>status</c>), for problems.</summary>
    public string OutcomeParam { get; init; } = "outcome";

    public string? Outcome { get; init; }

    public string? ErrorClass { get; init; }

    public string? SkipReason { get; init; }

    public string? Route { get; init; }

    public string? Provider { get; init; }

    public string? Model { get; init; }

    public string? Preset { get; init; }

    public string? Key { get; init; }

    public string? Since { get; init; }

    public string? Until { get; init; }

    public string? Limit { get; init; }

    public string? After { get; init; }
}
