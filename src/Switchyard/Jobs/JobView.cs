using System.Text.Json.Serialization;
using Switchyard.Generation;

namespace Switchyard.Jobs;

/// <summary>A job as <c>GET /v1/jobs/{id}</c> answers (and as its <c>job.completed</c> webhook carries it).</summary>
internal sealed record JobView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("created_at")] long CreatedAt,
    [property: JsonPropertyName("completed_at")] long? CompletedAt,
    [property: JsonPropertyName("cancel_requested")] bool CancelRequested,
    [property: JsonPropertyName("counts")] JobCountsView Counts,
    [property: JsonPropertyName("webhook")] JobWebhookView? Webhook,
    [property: JsonPropertyName("items")] IReadOnlyList<JobItemView> Items)
{
    public static JobView From(JobRecord job, IReadOnlyList<JobItemRecord> items)
    {
        var counts = JobCounts.Of(items);
        var status = job.Status.IsTerminal() ? job.Status : counts.Status(job.CancelRequested);
        return new JobView(
            job.Id,
            "job",
            status.ToWire(),
            job.CreatedAt.ToUnixTimeSeconds(),
            job.CompletedAt?.ToUnixTimeSeconds(),
            job.CancelRequested,
            new JobCountsView(
                counts.Total,
                counts[JobItemStatus.Waiting],
                counts[JobItemStatus.Queued],
                counts[JobItemStatus.Running],
                counts[JobItemStatus.Succeeded],
                counts[JobItemStatus.Failed],
                counts[JobItemStatus.Skipped],
                counts[JobItemStatus.Cancelled]),
            job.Webhook is { } webhook ? new JobWebhookView(webhook.Url.ToString(), webhook.PerItem) : null,
            [.. items.Select(JobItemView.From)]);
    }
}

/// <summary>Items per status.</summary>
internal sealed record JobCountsView(
    [property: JsonPropertyName("total")] int Total,
    [property: JsonPropertyName("waiting")] int Waiting,
    [property: JsonPropertyName("queued")] int Queued,
    [property: JsonPropertyName("running")] int Running,
    [property: JsonPropertyName("succeeded")] int Succeeded,
    [property: JsonPropertyName("failed")] int Failed,
    [property: JsonPropertyName("skipped")] int Skipped,
    [property: JsonPropertyName("cancelled")] int Cancelled);

/// <summary>The webhook, without its secret.</summary>
internal sealed record JobWebhookView(
    [property: JsonPropertyName("url")] string Url,
    [property: JsonPropertyName("per_item")] bool PerItem);

/// <summary>One item: its runs, its output, or why it has none.</summary>
internal sealed record JobItemView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("route")] string Route,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("depends_on")] IReadOnlyList<string> DependsOn,
    [property: JsonPropertyName("run_ids")] IReadOnlyList<string> RunIds,
    [property: JsonPropertyName("output")] JobItemOutputView? Output,
    [property: JsonPropertyName("error")] JobItemErrorView? Error,
    [property: JsonPropertyName("last_error")] JobItemErrorView? LastError)
{
    public static JobItemView From(JobItemRecord item)
    {
        var error = item.ErrorClass is { } errorClass ? new JobItemErrorView(errorClass, item.ErrorMessage ?? errorClass) : null;
        var finishedWithout = item.Status is JobItemStatus.Failed or JobItemStatus.Skipped or JobItemStatus.Cancelled;
        return new JobItemView(
            item.ItemId,
            item.Type.ToWire(),
            item.Route,
            item.Status.ToWire(),
            item.Attempts,
            item.DependsOn,
            item.RunIds,
            item.Status == JobItemStatus.Succeeded ? new JobItemOutputView(item.OutputText, item.ArtifactIds) : null,
            finishedWithout ? error : null,
            finishedWithout ? null : error);
    }
}

/// <summary>An item's output: the text of a text item, the stored artifacts of image and speech items.</summary>
internal sealed record JobItemOutputView(
    [property: JsonPropertyName("text")] string? Text,
    [property: JsonPropertyName("artifact_ids")] IReadOnlyList<string> ArtifactIds);

/// <summary>Why an item failed, was skipped (<c>dependency_failed</c>) or cancelled; on an open item, its last failed attempt.</summary>
internal sealed record JobItemErrorView(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("message")] string Message);

/// <summary>The data of a <c>job.item.completed</c> webhook.</summary>
internal sealed record JobItemEventView(
    [property: JsonPropertyName("job_id")] string JobId,
    [property: JsonPropertyName("item")] JobItemView Item);
