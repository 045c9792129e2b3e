namespace Switchyard.Routing;

/// <summary>What the engine needs to know about a client request besides the work itself.</summary>
public sealed record RunRequest
{
    /// <summary>The run id, chosen by the caller so it can be sent even on early errors.</summary>
    public required string RunId { get; init; }

    /// <summary>The id of the API key.</summary>
    public string? KeyId { get; init; }

    /// <summary>The resolved route.</summary>
    public required ResolvedRoute Route { get; init; }

    /// <summary>The <c>model</c> the client sent.</summary>
    public required string RequestedModel { get; init; }

    /// <summary>The endpoint, e.g. <c>images.generations</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The prompt (or speech input), for the ledger's hash and redacted preview.</summary>
    public required string Prompt { get; init; }

    /// <summary>The request field that carries the prompt (<c>prompt</c>, <c>messages</c>, <c>input</c>), named by errors about it.</summary>
    public string PromptField { get; init; } = "prompt";

    /// <summary>The W3C trace id of the request, when known.</summary>
    public string? TraceId { get; init; }

    /// <summary>The job and item that made the request, when it came from a batch job.</summary>
    public (string JobId, string ItemId)? JobItem { get; init; }

    /// <summary>Request options as JSON.</summary>
    public string? RequestSummary { get; init; }
}
