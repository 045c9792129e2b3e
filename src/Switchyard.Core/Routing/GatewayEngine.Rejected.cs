using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Routing;

public sealed partial class GatewayEngine
{
    /// <summary>
    /// Records a request refused before any provider was chosen (bad field, unknown model), so
    /// that every authenticated request has a run that says why it failed.
    /// </summary>
    public async Task<RunRecord> RecordRejectedAsync(string runId, string? keyId, Modality modality, string endpoint, string? requestedModel, RunError error, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var now = _time.GetUtcNow();
        var run = new RunRecord
        {
            Id = runId,
            StartedAt = now,
            KeyId = keyId,
            Route = requestedModel ?? "",
            Modality = modality,
            RequestedModel = requestedModel ?? "",
            Endpoint = endpoint,
            Outcome = RunOutcome.Failed,
            ErrorClass = error.Class,
            ErrorMessage = error.Message,
            HttpStatus = error.HttpStatus,
            DurationMs = 0,
        };
        await _ledger.RunStartedAsync(run, CancellationToken.None).ConfigureAwait(false);
        await _ledger.RunFinishedAsync(run, CancellationToken.None).ConfigureAwait(false);
        return run;
    }

    /// <summary>
    /// Records a routed request that a limit refused before any provider was called (the caller's key
    /// limits): a failed run whose only attempt is the route's first tier, skipped with <paramref name="reason"/>
    /// and the error's message, so <c>runs --skip-reason</c> finds it and it never reaches the provider.
    /// </summary>
    public async Task<RunRecord> RecordRefusedAsync(RunRequest request, RunError error, SkipReason reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(error);
        _ = cancellationToken;
        var now = _time.GetUtcNow();
        var step = request.Route.Route.Chain[0];
        var provider = _providers.Get(step.Provider);
        var run = new RunRecord
        {
            Id = request.RunId,
            StartedAt = now,
            KeyId = request.KeyId,
            Route = request.Route.Name,
            Preset = request.Route.Preset?.Name,
            Modality = request.Route.Modality,
            RequestedModel = request.RequestedModel,
            Endpoint = request.Endpoint,
            PromptHash = PromptSummary.Hash(request.Prompt),
            PromptPreview = PromptSummary.Preview(request.Prompt),
            RequestSummary = request.RequestSummary,
            TraceId = request.TraceId,
            JobId = request.JobItem?.JobId,
            ItemId = request.JobItem?.ItemId,
        };
        await _ledger.RunStartedAsync(run, CancellationToken.None).ConfigureAwait(false);
        await _ledger.AttemptAsync(
            new AttemptRecord
            {
                RunId = run.Id,
                Seq = 1,
                Tier = 0,
                Provider = provider.Name,
                ProviderType = provider.Type,
                Model = step.Model,
                Status = AttemptStatus.Skipped,
                SkipReason = reason,
                Message = error.Message,
                Step = "validate",
                StartedAt = now,
                DurationMs = 0,
            },
            CancellationToken.None).ConfigureAwait(false);
        run = run with
        {
            Outcome = RunOutcome.Failed,
            ErrorClass = error.Class,
            ErrorMessage = error.Message,
            HttpStatus = error.HttpStatus,
            DurationMs = 0,
            AttemptCount = 1,
        };
        await _ledger.RunFinishedAsync(run, CancellationToken.None).ConfigureAwait(false);
        return run;
    }
}
