using System.Diagnostics;
using System.Text.Json;
using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Keys;
using Switchyard.Routing;

namespace Switchyard.Http;

/// <summary>What the generation endpoints share: the engine and its collaborators, and the steps every request takes.</summary>
internal sealed class GatewayServices
{
    public GatewayServices(SwitchyardConfig config, RouteTable routes, GatewayEngine engine, PromptGuard guard, OutputValidator validator, IArtifactStore artifacts, ArtifactLinks links, IKeyLimiter limiter, TimeProvider time)
    {
        Limiter = limiter;
        Guard = guard;
        Config = config;
        Routes = routes;
        Engine = engine;
        Validator = validator;
        Artifacts = artifacts;
        Links = links;
        Time = time;
        StartedAt = time.GetUtcNow();
    }

    public SwitchyardConfig Config { get; }

    public RouteTable Routes { get; }

    public GatewayEngine Engine { get; }

    public PromptGuard Guard { get; }

    public OutputValidator Validator { get; }

    public IArtifactStore Artifacts { get; }

    public ArtifactLinks Links { get; }

    public TimeProvider Time { get; }

    public IKeyLimiter Limiter { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary>The start of every generation request: a run id, the caller, and the parsed body or the problem with it.</summary>
    /// <remarks>JSON-only endpoints take up to <c>server.max_json_request_bytes</c>; <paramref name="acceptsUploads"/> (images/edits) up to <c>server.max_request_bytes</c>.</remarks>
    public async Task<IncomingCall> BeginAsync(HttpContext http, Modality modality, string endpoint, bool acceptsUploads = false)
    {
        var runId = RunIds.New(Time);
        var (document, problem) = acceptsUploads
            ? await RequestBody.ReadJsonAsync(http, Config.Server.MaxRequestBytes, "server.max_request_bytes", "application/json or multipart/form-data", http.RequestAborted)
            : await RequestBody.ReadJsonAsync(http, Config.Server.MaxJsonRequestBytes, "server.max_json_request_bytes", "application/json", http.RequestAborted);
        return new IncomingCall(runId, CallerKey.From(http), modality, endpoint, document, problem, TraceIdOf(http));
    }

    /// <summary>Records a refused request as a failed run and answers with the problem.</summary>
    public async Task<IResult> RejectAsync(HttpContext http, IncomingCall call, string? model, RequestProblem problem)
    {
        var error = new RunError(problem.Status, "invalid_request_error", problem.Code, problem.Message, problem.Param, problem.Status == 499 ? ErrorClass.Cancelled : ErrorClass.InvalidRequest);
        var run = await Engine.RecordRejectedAsync(call.RunId, call.Key.Id, call.Modality, call.Endpoint, model, error, http.RequestAborted);
        RunHeaders.Apply(http.Response, run);
        return ErrorResults.From(problem, call.RunId);
    }

    /// <summary>The route <paramref name="model"/> names, when it exists for the modality and the caller's key may call it.</summary>
    public ResolvedRoute? Resolve(IncomingCall call, string model, Modality modality) =>
        call.Key.Limits.AllowsModel(model) ? Routes.Resolve(model, modality) : null;

    /// <summary>Asks the key limiter; a refused admission is answered by <see cref="RefuseAsync"/>. Dispose the admission when the request ends.</summary>
    public ValueTask<KeyAdmission> AdmitAsync(HttpContext http, IncomingCall call) =>
        Limiter.AdmitAsync(call.Key.Id, call.Key.Limits, http.RequestAborted);

    /// <summary>Records a request refused by a key limit (a failed run whose first tier is skipped, never called) and answers 429 with <c>Retry-After</c>.</summary>
    public async Task<IResult> RefuseAsync(HttpContext http, RunRequest request, KeyAdmission admission)
    {
        var keyId = request.KeyId ?? "";
        var seconds = Math.Max(1, (long)Math.Ceiling(admission.RetryAfter.TotalSeconds));
        var (code, reason, message) = admission.RefusedBy switch
        {
            KeyLimitKind.Concurrency => ("key_concurrency_limited", SkipReason.LocalRateLimit,
                $"API key {keyId} already has {admission.Limit} requests in flight, its concurrency limit; retry after one of them ends"),
            KeyLimitKind.DailyQuota => ("daily_quota_exceeded", SkipReason.BudgetExceeded,
                $"API key {keyId} has used its daily quota of {admission.Limit} runs (UTC day); it resets in {seconds}s"),
            _ => ("key_rate_limited", SkipReason.LocalRateLimit,
                $"API key {keyId} is limited to {admission.Limit} requests per minute; retry after {seconds}s"),
        };
        var error = new RunError(429, "rate_limit_error", code, message, null, ErrorClass.RateLimited);
        var run = await Engine.RecordRefusedAsync(request, error, reason, http.RequestAborted);
        RunHeaders.Apply(http.Response, run);
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ErrorResults.From(error, run.Id);
    }

    /// <summary>Applies the route's prompt rules; null with the cleaned text, or the problem naming the rule.</summary>
    public RequestProblem? CheckPrompt(ResolvedRoute route, string field, ref string text)
    {
        var verdict = Guard.Check(route.Route, text);
        if (!verdict.Accepted)
        {
            return RequestProblem.Field(field, verdict.Message!, "prompt_rejected");
        }

        text = verdict.Prompt;
        return null;
    }

    public static RunRequest RunRequest(IncomingCall call, ResolvedRoute route, string model, string prompt, string? summary) => new()
    {
        TraceId = call.TraceId,
        PromptField = call.Modality switch { Modality.Text => "messages", Modality.Speech => "input", _ => "prompt" },
        RunId = call.RunId,
        KeyId = call.Key.Id,
        Route = route,
        RequestedModel = model,
        Endpoint = call.Endpoint,
        Prompt = prompt,
        RequestSummary = summary,
    };

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>The request's W3C trace id: the current activity's, else the caller's <c>traceparent</c>.</summary>
    private static string? TraceIdOf(HttpContext http)
    {
        if (Activity.Current is { } activity && activity.TraceId != default)
        {
            return activity.TraceId.ToHexString();
        }

        // traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>
        var header = http.Request.Headers["traceparent"].ToString();
        return header.Length == 55 && header[2] == '-' && header[35] == '-' && !header.AsSpan(3, 32).ContainsAnyExcept(LowerHex)
            ? header.Substring(3, 32)
            : null;
    }

    public static string AbsoluteUrl(HttpContext http, string path) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}{path}";
}

/// <summary>A generation request as received: its run id, caller, and parsed body or problem.</summary>
internal sealed record IncomingCall(string RunId, CallerKey Key, Modality Modality, string Endpoint, JsonDocument? Document, RequestProblem? Problem, string? TraceId);
