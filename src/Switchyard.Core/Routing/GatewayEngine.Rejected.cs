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
}
