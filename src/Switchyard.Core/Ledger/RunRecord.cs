using Switchyard.Generation;

namespace Switchyard.Ledger;

/// <summary>One client request as the ledger keeps it. Written when the run starts and again when it ends.</summary>
public sealed record RunRecord
{
    /// <summary>The run id, also sent as <c>x-switchyard-run-id</c>.</summary>
    public required string Id { get; init; }

    /// <summary>When the gateway received the request.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>The id (not the secret) of the API key that sent it.</summary>
    public string? KeyId { get; init; }

    /// <summary>The route that served it.</summary>
    public required string Route { get; init; }

    /// <summary>The preset, when the request named one.</summary>
    public string? Preset { get; init; }

    /// <summary>What was generated.</summary>
    public required Modality Modality { get; init; }

    /// <summary>The <c>model</c> the client sent.</summary>
    public required string RequestedModel { get; init; }

    /// <summary>The endpoint, e.g. <c>images.generations</c>.</summary>
    public required string Endpoint { get; init; }

    /// <summary>How it ended; null while running.</summary>
    public RunOutcome? Outcome { get; init; }

    /// <summary>The provider that served it.</summary>
    public string? ServedProvider { get; init; }

    /// <summary>The provider type that served it (e.g. <c>sandbox</c>, which marks sandbox output).</summary>
    public string? ServedProviderType { get; init; }

    /// <summary>The model that served it.</summary>
    public string? ServedModel { get; init; }

    /// <summary>The tier (0-based) that served it.</summary>
    public int? ServedTier { get; init; }

    /// <summary>Total time in milliseconds.</summary>
    public double? DurationMs { get; init; }

    /// <summary>The error class that failed the run.</summary>
    public ErrorClass? ErrorClass { get; init; }

    /// <summary>What every attempt met, as sent to the client.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The HTTP status sent to the client.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>SHA-256 of the prompt, hex.</summary>
    public string? PromptHash { get; init; }

    /// <summary>The start of the prompt, redacted.</summary>
    public string? PromptPreview { get; init; }

    /// <summary>Request options as JSON (size, n, format…).</summary>
    public string? RequestSummary { get; init; }

    /// <summary>Response facts as JSON (artifact ids, bytes, dimensions…).</summary>
    public string? ResponseSummary { get; init; }

    /// <summary>How many attempts (made or skipped) the run has.</summary>
    public int AttemptCount { get; init; }

    /// <summary>Whether the route's cache served it.</summary>
    public bool CacheHit { get; init; }

    /// <summary>The W3C trace id of the request, to find it in traces.</summary>
    public string? TraceId { get; init; }

    /// <summary>The job it belongs to, when a batch job item made it.</summary>
    public string? JobId { get; init; }

    /// <summary>The job item it belongs to.</summary>
    public string? ItemId { get; init; }

    /// <summary>The estimated cost of all its attempts in US dollars, from the config's price table (null: no price known).</summary>
    public decimal? CostUsd { get; init; }
}
