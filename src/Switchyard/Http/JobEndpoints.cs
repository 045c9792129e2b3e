using System.Security.Cryptography;
using System.Text;
using Switchyard.Jobs;

namespace Switchyard.Http;

/// <summary>
/// <c>POST /v1/jobs</c> (honours <c>Idempotency-Key</c>), <c>GET /v1/jobs/{id}</c> and <c>POST /v1/jobs/{id}/cancel</c>.
/// Jobs belong to the key that submitted them: another key gets 404 (an admin key may read and cancel all).
/// </summary>
internal static class JobEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static void MapJobEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/jobs", SubmitAsync);
        v1.MapGet("/jobs/{id}", GetAsync);
        v1.MapPost("/jobs/{id}/cancel", CancelAsync);
    }

    private static async Task<IResult> SubmitAsync(HttpContext http, GatewayServices services, IJobStore store, WebhookSecretProtector secrets, JobSignal signal)
    {
        var caller = CallerKey.From(http);
        var idempotencyKey = http.Request.Headers[IdempotencyHeader].ToString() is { Length: > 0 } header ? header : null;
        if (idempotencyKey is { Length: > 255 })
        {
            return ErrorResults.From(new RequestProblem(400, $"The {IdempotencyHeader} header is {idempotencyKey.Length} characters; the limit is 255", IdempotencyHeader, "invalid_value"), null);
        }

        var maxBytes = services.Config.Jobs.MaxBodyBytes;
        var (document, problem) = await RequestBody.ReadJsonAsync(http, maxBytes, "jobs.max_body_bytes", "application/json", http.RequestAborted);
        using var body = document;
        if (problem is not null)
        {
            return ErrorResults.From(problem.Status == 413 ? problem with { Message = $"The job body is larger than the limit of {maxBytes} bytes (jobs.max_body_bytes); split the work into several jobs" } : problem, null);
        }

        var (parsed, invalid) = JobSubmission.Parse(body!.RootElement, services.Config, services.Routes);
        if (invalid is not null)
        {
            return ErrorResults.From(invalid, null);
        }

        var now = services.Time.GetUtcNow();
        var job = new NewJob
        {
            Id = "job_" + Guid.CreateVersion7(now).ToString("N"),
            OwnerKeyId = caller.Id,
            IdempotencyKey = idempotencyKey,
            RequestHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body.RootElement.GetRawText()))),
            CreatedAt = now,
            Context = parsed!.Context,
            Webhook = parsed.WebhookUrl is { } url
                ? new JobWebhook(url, parsed.WebhookSecret is { } secret ? await secrets.ProtectAsync(secret, http.RequestAborted) : null, parsed.PerItem)
                : null,
            Items = parsed.Items,
        };

        var created = await store.CreateAsync(job, http.RequestAborted);
        if (created.Conflict)
        {
            return ErrorResults.From(new RequestProblem(409, $"The {IdempotencyHeader} '{idempotencyKey}' was used for job {created.Job.Id} with a different body; send the same body to get that job again, or use a new key for a new job", IdempotencyHeader, "idempotency_key_reused"), null);
        }

        if (created.Created)
        {
            signal.Wake();
        }
        else
        {
            http.Response.Headers["Idempotent-Replayed"] = "true";
        }

        var view = JobView.From(created.Job, await store.GetItemsAsync(created.Job.Id, http.RequestAborted));
        http.Response.Headers.Location = $"/v1/jobs/{created.Job.Id}";
        return Results.Json(view, JobsJsonContext.Wire.JobView, statusCode: created.Created ? StatusCodes.Status202Accepted : StatusCodes.Status200OK);
    }

    private static async Task<IResult> GetAsync(HttpContext http, string id, IJobStore store)
    {
        var job = await store.GetAsync(id, http.RequestAborted);
        if (job is null || !MayRead(http, job))
        {
            return NotFound(id);
        }

        var view = JobView.From(job, await store.GetItemsAsync(id, http.RequestAborted));
        return Results.Json(view, JobsJsonContext.Wire.JobView);
    }

    private static async Task<IResult> CancelAsync(HttpContext http, string id, IJobStore store, TimeProvider time)
    {
        var job = await store.GetAsync(id, http.RequestAborted);
        if (job is null || !MayRead(http, job))
        {
            return NotFound(id);
        }

        job = await store.CancelAsync(id, time.GetUtcNow(), http.RequestAborted);
        var view = JobView.From(job!, await store.GetItemsAsync(id, http.RequestAborted));
        return Results.Json(view, JobsJsonContext.Wire.JobView);
    }

    private static bool MayRead(HttpContext http, JobRecord job)
    {
        var caller = CallerKey.From(http);
        return caller.IsAdmin || string.Equals(caller.Id, job.OwnerKeyId, StringComparison.Ordinal);
    }

    // The same answer for a job of another key as for no job, so ids cannot be probed.
    private static IResult NotFound(string id) =>
        ErrorResults.From(new RequestProblem(404, $"No job '{id}' for this key. Job ids look like job_0196…; POST /v1/jobs answers with one.", "id", "job_not_found"), null);
}
