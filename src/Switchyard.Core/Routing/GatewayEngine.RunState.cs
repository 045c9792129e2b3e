using System.Text;
using Switchyard.Caching;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Ledger;
using Switchyard.Providers;
using Switchyard.Telemetry;

namespace Switchyard.Routing;

public sealed partial class GatewayEngine
{
    /// <summary>
    /// The bookkeeping of one run: attempt numbering, ledger writes and the final error. Ledger
    /// writes ignore the client's cancellation on purpose: a request that goes away mid-run must
    /// still leave its records.
    /// </summary>
    private sealed class RunState
    {
        private readonly GatewayEngine _engine;
        private readonly RunRequest _request;
        private readonly List<AttemptRecord> _attempts = [];
        private readonly long _startTimestamp;
        private readonly System.Diagnostics.Activity? _activity;
        private RunRecord _run;

        public RunState(GatewayEngine engine, RunRequest request)
        {
            _engine = engine;
            _request = request;
            _startTimestamp = engine._time.GetTimestamp();
            _run = new RunRecord
            {
                Id = request.RunId,
                StartedAt = engine._time.GetUtcNow(),
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

            // The run's span is current for the rest of the engine's call, so attempts nest in it.
            _activity = SwitchyardTelemetry.StartRun(_run);
        }

        /// <summary>A copy of the attempts so far (tiers may run concurrently when the route hedges).</summary>
        public IReadOnlyList<AttemptRecord> Attempts
        {
            get
            {
                lock (_attempts)
                {
                    return [.. _attempts];
                }
            }
        }

        public string RunId => _run.Id;

        public async Task StartAsync(CancellationToken cancellationToken) =>
            await _engine._ledger.RunStartedAsync(_run, cancellationToken).ConfigureAwait(false);

        /// <summary>Records a skip and returns false when the provider cannot be tried.</summary>
        public async Task<bool> CanAttemptAsync(int tier, RouteStep step, IGenerationProvider provider, object providerRequest, CancellationToken cancellationToken)
        {
            _ = cancellationToken;
            if (_engine._health.Problem(provider) is { } flagged)
            {
                await SkipAsync(tier, step, provider, SkipReason.Misconfigured, flagged).ConfigureAwait(false);
                return false;
            }

            if (_request.Route.Route.Prompt.MaxLengthByProvider.TryGetValue(provider.Name, out var maxLength) && _request.Prompt.Length > maxLength)
            {
                await SkipAsync(tier, step, provider, SkipReason.NotCapable, $"the prompt is {_request.Prompt.Length} characters; this provider takes at most {maxLength} on route '{_request.Route.Name}'").ConfigureAwait(false);
                return false;
            }

            if (providerRequest is ImageRequest { IsEdit: true } && !provider.SupportsImageInputs)
            {
                await SkipAsync(tier, step, provider, SkipReason.NotCapable, $"{provider.Name} ({provider.Type}) cannot take input images; an edit is never served as a plain generation").ConfigureAwait(false);
                return false;
            }

            if (provider.CheckCapable(_request.Route.Modality, step.Model, providerRequest) is { } reason)
            {
                await SkipAsync(tier, step, provider, SkipReason.NotCapable, reason).ConfigureAwait(false);
                return false;
            }

            return true;
        }

        public async Task<AttemptRecord> BeginAttemptAsync(int tier, RouteStep step, IGenerationProvider provider, CancellationToken cancellationToken)
        {
            _ = cancellationToken;
            var attempt = AppendAttempt(tier, step, provider);
            await _engine._ledger.AttemptAsync(attempt, CancellationToken.None).ConfigureAwait(false);
            return attempt;
        }

        public async Task EndAttemptAsync(AttemptRecord attempt, ProviderFailure? failure, CancellationToken cancellationToken, decimal? cost = null, long? bytes = null, System.Diagnostics.Activity? activity = null)
        {
            var ended = attempt with
            {
                CostUsd = failure is null ? cost : null,
                Bytes = failure is null ? bytes : null,
                Status = failure is null ? AttemptStatus.Success : AttemptStatus.Failed,
                ErrorClass = failure?.Class,
                HttpStatus = failure?.HttpStatus,
                ErrorCode = failure?.Code,
                Message = failure?.Message,
                Step = failure?.Step ?? "store",
                DurationMs = (_engine._time.GetUtcNow() - attempt.StartedAt).TotalMilliseconds,
            };
            lock (_attempts)
            {
                _attempts[attempt.Seq - 1] = ended;
            }
            await _engine._ledger.AttemptAsync(ended, cancellationToken).ConfigureAwait(false);
            _engine._telemetry.AttemptEnded(activity, ended);
            if (failure is not null)
            {
                Log.AttemptFailed(_engine._logger, _run.Id, attempt.Provider, failure.Class.ToWire(), failure.Message);
            }
        }

        /// <summary>The run as it will be recorded if this tier serves it (for headers sent before a stream ends).</summary>
        public RunRecord Preview(int tier, RouteStep step, IGenerationProvider provider) => _run with
        {
            Outcome = ServedOutcome(tier, provider),
            ServedProvider = provider.Name,
            ServedProviderType = provider.Type,
            ServedModel = step.Model,
            ServedTier = tier,
            AttemptCount = Attempts.Count,
        };

        public async Task<RunResult<T>> SucceedAsync<T>(int tier, RouteStep step, IGenerationProvider provider, T? output, string? summary)
            where T : class
        {
            // One snapshot of the attempts and one copy of the run: the record is what the ledger keeps until its batch
            // is written, and every copy made on the way is garbage per request.
            var attempts = Attempts;
            var outcome = ServedOutcome(tier, provider);
            _run = _run with
            {
                Outcome = outcome,
                ServedProvider = provider.Name,
                ServedProviderType = provider.Type,
                ServedModel = step.Model,
                ServedTier = tier,
                HttpStatus = 200,
                ResponseSummary = summary,
                ErrorMessage = outcome == RunOutcome.Degraded ? Describe(attempts) : null,
                CostUsd = TotalCost(attempts),
                DurationMs = Elapsed,
                AttemptCount = attempts.Count,
            };
            await FinishAsync(attempts).ConfigureAwait(false);
            return new RunResult<T>(_run, attempts, output, null);
        }

        public async Task<RunResult<T>> ServeFromCacheAsync<T>(CachedResult hit, T output, string? summary)
            where T : class
        {
            var attempt = Append(
                0,
                (Run: this, Hit: hit),
                static (seq, retry, s) => new AttemptRecord
                {
                    RunId = s.Run._run.Id,
                    Seq = seq,
                    Tier = 0,
                    Retry = retry,
                    Provider = s.Hit.Provider,
                    ProviderType = s.Hit.ProviderType,
                    Model = s.Hit.Model,
                    Status = AttemptStatus.Skipped,
                    SkipReason = SkipReason.CacheHit,
                    Message = $"served from the route's cache; first produced by {s.Hit.Provider} at {s.Hit.StoredAt:yyyy-MM-dd HH:mm:ss} UTC",
                    Step = "validate",
                    StartedAt = s.Run._engine._time.GetUtcNow(),
                    DurationMs = 0,
                });
            await _engine._ledger.AttemptAsync(attempt, CancellationToken.None).ConfigureAwait(false);
            var attempts = Attempts;
            _run = _run with
            {
                Outcome = RunOutcome.Success,
                ServedProvider = hit.Provider,
                ServedProviderType = hit.ProviderType,
                ServedModel = hit.Model,
                ServedTier = 0,
                HttpStatus = 200,
                ResponseSummary = summary,
                CacheHit = true,
                CostUsd = TotalCost(attempts),
                DurationMs = Elapsed,
                AttemptCount = attempts.Count,
            };
            await FinishAsync(attempts).ConfigureAwait(false);
            return new RunResult<T>(_run, attempts, output, null) { CacheHit = true };
        }

        public async Task<RunResult<T>> FailAsync<T>(ProviderFailure? stoppedBy)
            where T : class
        {
            var attempts = Attempts;
            var error = ToError(stoppedBy, attempts);
            _run = _run with
            {
                Outcome = RunOutcome.Failed,
                ErrorClass = error.Class,
                ErrorMessage = error.Message,
                HttpStatus = error.HttpStatus,
                CostUsd = TotalCost(attempts),
                DurationMs = Elapsed,
                AttemptCount = attempts.Count,
            };
            await FinishAsync(attempts).ConfigureAwait(false);
            Log.RunFailed(_engine._logger, _run.Id, _run.Route, error.Message);
            return new RunResult<T>(_run, attempts, null, error);
        }

        /// <summary>Adds an attempt at <paramref name="provider"/>: started (about to send), or skipped for <paramref name="skipped"/>.</summary>
        private AttemptRecord AppendAttempt(int tier, RouteStep step, IGenerationProvider provider, SkipReason? skipped = null, string? message = null) => Append(
            tier,
            (Run: this, Tier: tier, Step: step, Provider: provider, Skipped: skipped, Message: message),
            static (seq, retry, s) => new AttemptRecord
            {
                RunId = s.Run._run.Id,
                Seq = seq,
                Tier = s.Tier,
                Retry = retry,
                Provider = s.Provider.Name,
                ProviderType = s.Provider.Type,
                Model = s.Step.Model,
                Status = s.Skipped is null ? AttemptStatus.Started : AttemptStatus.Skipped,
                SkipReason = s.Skipped,
                Message = s.Message,
                Step = s.Skipped is null ? "send" : "validate",
                StartedAt = s.Run._engine._time.GetUtcNow(),
                DurationMs = s.Skipped is null ? null : 0,
            });

        /// <summary>Adds an attempt with the next seq and its retry number on its tier (tries made there before).</summary>
        private AttemptRecord Append<TState>(int tier, TState state, Func<int, int, TState, AttemptRecord> make)
        {
            lock (_attempts)
            {
                var retry = 0;
                foreach (var made in _attempts)
                {
                    if (made.Tier == tier && made.Status != AttemptStatus.Skipped)
                    {
                        retry++;
                    }
                }

                var attempt = make(_attempts.Count + 1, retry, state);
                _attempts.Add(attempt);
                return attempt;
            }
        }

        // A later tier or the placeholder serving the run makes it degraded.
        private static RunOutcome ServedOutcome(int tier, IGenerationProvider provider) =>
            tier > 0 || IsPlaceholder(provider) ? RunOutcome.Degraded : RunOutcome.Success;

        private double Elapsed => _engine._time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

        private static decimal? TotalCost(IReadOnlyList<AttemptRecord> attempts)
        {
            decimal? total = null;
            foreach (var attempt in attempts)
            {
                if (attempt.CostUsd is { } cost)
                {
                    total = (total ?? 0m) + cost;
                }
            }

            return total;
        }

        public async Task SkipAsync(int tier, RouteStep step, IGenerationProvider provider, SkipReason reason, string? message)
        {
            var attempt = AppendAttempt(tier, step, provider, reason, message);
            await _engine._ledger.AttemptAsync(attempt, CancellationToken.None).ConfigureAwait(false);
            _engine._telemetry.AttemptEnded(null, attempt);
        }

        /// <summary>Records the finished run (<c>_run</c>, complete) and tells the observers.</summary>
        private async Task FinishAsync(IReadOnlyList<AttemptRecord> attempts)
        {
            await _engine._ledger.RunFinishedAsync(_run, CancellationToken.None).ConfigureAwait(false);
            foreach (var observer in _engine._observers)
            {
                try
                {
                    observer.RunFinished(_run, attempts);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    // The run is served and recorded; a failing observer (alerts) must not change that.
                    Log.ObserverFailed(_engine._logger, observer.GetType().Name, _run.Id, ex);
                }
            }

            _engine._telemetry.RunEnded(_activity, _run);
            _activity?.Dispose();
        }

        /// <summary>"sandbox-a/sandbox-image: unavailable (…); placeholder: skipped not_capable (…)".</summary>
        private static string Describe(IReadOnlyList<AttemptRecord> attempts)
        {
            var text = new StringBuilder();
            foreach (var attempt in attempts)
            {
                if (attempt.Status == AttemptStatus.Success)
                {
                    continue;
                }

                if (text.Length > 0)
                {
                    text.Append("; ");
                }

                text.Append(attempt.Model is null ? attempt.Provider : $"{attempt.Provider}/{attempt.Model}").Append(": ");
                if (attempt.Status == AttemptStatus.Skipped)
                {
                    text.Append("skipped ").Append(attempt.SkipReason!.Value.ToWire());
                }
                else
                {
                    text.Append(attempt.ErrorClass?.ToWire() ?? "failed");
                    if (attempt.HttpStatus is { } status)
                    {
                        text.Append(" (HTTP ").Append(status).Append(')');
                    }
                }

                if (!string.IsNullOrEmpty(attempt.Message))
                {
                    text.Append(" - ").Append(attempt.Message);
                }
            }

            return text.ToString();
        }

        private RunError ToError(ProviderFailure? stoppedBy, IReadOnlyList<AttemptRecord> attempts)
        {
            var message = attempts.Count == 0 ? $"route '{_request.Route.Name}' has no tier to try" : Describe(attempts);
            if (stoppedBy is not null)
            {
                return stoppedBy.Class switch
                {
                    ErrorClass.Cancelled => new RunError(499, "invalid_request_error", "cancelled", message, null, ErrorClass.Cancelled),
                    ErrorClass.InvalidRequest => new RunError(400, "invalid_request_error", stoppedBy.Code ?? "invalid_request", message, null, ErrorClass.InvalidRequest),
                    _ => new RunError(400, "invalid_request_error", "content_rejected", message, _request.PromptField, ErrorClass.ContentRejected),
                };
            }

            var made = attempts.Where(a => a.Status == AttemptStatus.Failed).ToList();
            if (made.Count == 0)
            {
                return attempts.All(a => a.SkipReason == SkipReason.NotCapable)
                    ? new RunError(400, "invalid_request_error", "not_capable", $"no provider of route '{_request.Route.Name}' can serve this request: {message}", null, ErrorClass.InvalidRequest)
                    : new RunError(503, "server_error", "no_usable_provider", $"no provider of route '{_request.Route.Name}' is usable: {message}", null, ErrorClass.Misconfigured);
            }

            if (made.All(a => a.ErrorClass == ErrorClass.ContentRejected))
            {
                return new RunError(400, "invalid_request_error", "content_rejected", message, _request.PromptField, ErrorClass.ContentRejected);
            }

            var last = made[^1].ErrorClass ?? ErrorClass.Unavailable;
            return last switch
            {
                ErrorClass.RateLimited => new RunError(429, "rate_limit_error", "rate_limited", message, null, last),
                ErrorClass.Timeout => new RunError(504, "server_error", "timeout", message, null, last),
                ErrorClass.Auth => new RunError(502, "server_error", "upstream_auth", message, null, last),
                ErrorClass.Misconfigured => new RunError(503, "server_error", "misconfigured", message, null, last),
                _ => new RunError(502, "server_error", "upstream_unavailable", message, null, last),
            };
        }
    }
}
