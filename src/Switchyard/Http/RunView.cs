using System.Text.Json.Serialization;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Http;

/// <summary>A run as the API shows it, with the contract's wire names.</summary>
internal sealed record RunView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("key_id")] string? KeyId,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("preset")] string? Preset,
    [property: JsonPropertyName("modality")] string Modality,
    [property: JsonPropertyName("endpoint")] string Endpoint,
    [property: JsonPropertyName("model")] string RequestedModel,
    [property: JsonPropertyName("outcome")] string? Outcome,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("provider_type")] string? ProviderType,
    [property: JsonPropertyName("served_model")] string? ServedModel,
    [property: JsonPropertyName("tier")] int? Tier,
    [property: JsonPropertyName("duration_ms")] double? DurationMs,
    [property: JsonPropertyName("error_class")] string? ErrorClass,
    [property: JsonPropertyName("error_message")] string? ErrorMessage,
    [property: JsonPropertyName("http_status")] int? HttpStatus,
    [property: JsonPropertyName("prompt_preview")] string? PromptPreview,
    [property: JsonPropertyName("request")] string? RequestSummary,
    [property: JsonPropertyName("response")] string? ResponseSummary,
    [property: JsonPropertyName("attempt_count")] int AttemptCount,
    [property: JsonPropertyName("cache_hit")] bool CacheHit,
    [property: JsonPropertyName("cost_usd")] decimal? CostUsd,
    [property: JsonPropertyName("trace_id")] string? TraceId,
    [property: JsonPropertyName("job_id")] string? JobId,
    [property: JsonPropertyName("item_id")] string? ItemId)
{
    /// <summary>The attempts in order; only in the answer for one run (<c>GET /v1/runs/{id}</c>), not in lists.</summary>
    [JsonPropertyName("attempts")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<AttemptView>? Attempts { get; init; }

    public static RunView From(RunRecord r) => new(
        r.Id, r.StartedAt, r.KeyId, r.Route, r.Preset, r.Modality.ToWire(), r.Endpoint, r.RequestedModel, r.Outcome?.ToWire(),
        r.ServedProvider, r.ServedProviderType, r.ServedModel, r.ServedTier, r.DurationMs, r.ErrorClass?.ToWire(), r.ErrorMessage,
        r.HttpStatus, r.PromptPreview, r.RequestSummary, r.ResponseSummary, r.AttemptCount, r.CacheHit, r.CostUsd, r.TraceId, r.JobId, r.ItemId);
}

/// <summary>An attempt as the API shows it.</summary>
internal sealed record AttemptView(
    [property: JsonPropertyName("seq")] int Seq,
    [property: JsonPropertyName("tier")] int Tier,
    [property: JsonPropertyName("retry")] int Retry,
    [property: JsonPropertyName("provider")] string Provider,
    [property: JsonPropertyName("provider_type")] string ProviderType,
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("error_class")] string? ErrorClass,
    [property: JsonPropertyName("skip_reason")] string? SkipReason,
    [property: JsonPropertyName("http_status")] int? HttpStatus,
    [property: JsonPropertyName("error_code")] string? ErrorCode,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("step")] string? Step,
    [property: JsonPropertyName("started_at")] DateTimeOffset StartedAt,
    [property: JsonPropertyName("duration_ms")] double? DurationMs,
    [property: JsonPropertyName("cost_usd")] decimal? CostUsd)
{
    public static AttemptView From(AttemptRecord a) => new(
        a.Seq, a.Tier, a.Retry, a.Provider, a.ProviderType, a.Model, a.Status.ToWire(), a.ErrorClass?.ToWire(), a.SkipReason?.ToWire(),
        a.HttpStatus, a.ErrorCode, a.Message, a.Step, a.StartedAt, a.DurationMs, a.CostUsd);
}
