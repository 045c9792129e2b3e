using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Jobs;
using Switchyard.Ledger;

namespace Switchyard.Tests.Jobs;

/// <summary>The jobs API end to end in-process: templates, dependencies, cancel, idempotency, scoping, leases, webhooks.</summary>
public sealed class JobsApiTests : IDisposable
{
    private readonly JobsGateway _gateway = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _gateway.Dispose();

    [Fact]
    public async Task Submit_FlashcardJob_TemplatesReadTheTextItemsJsonFieldAndWholeOutput()
    {
        using var client = _gateway.Client();
        var submitted = await JobsGateway.SubmitAsync(client, """
            { "items": [
                { "id": "card", "type": "text", "model": "text", "prompt": "Flashcard for 'cardio' as JSON with fields front, back, image_description" },
                { "id": "picture", "type": "image", "model": "image", "depends_on": ["card"], "prompt": "{{card.output.image_description}}", "size": "256x256" },
                { "id": "audio", "type": "speech", "depends_on": ["card"], "input": "{{ card.output.front }}", "voice": "alloy", "response_format": "wav" },
                { "id": "echo", "type": "text", "depends_on": ["card"], "prompt": "Repeat: {{card.output}}" } ],
              "context": "Style guide: flat pastel illustration" }
            """);
        var id = submitted.GetProperty("id").GetString()!;
        Assert.Equal("queued", submitted.GetProperty("status").GetString());
        Assert.Equal("waiting", JobsGateway.Item(submitted, "picture").GetProperty("status").GetString());

        Assert.Equal(4, await _gateway.DrainAsync());

        var job = await JobsGateway.GetAsync(client, id);
        Assert.Equal("succeeded", job.GetProperty("status").GetString());
        Assert.Equal(4, job.GetProperty("counts").GetProperty("succeeded").GetInt32());
        var card = JobsGateway.Item(job, "card").GetProperty("output").GetProperty("text").GetString()!;
        using var cardJson = JsonDocument.Parse(card);
        var description = cardJson.RootElement.GetProperty("image_description").GetString()!;

        // The runs in the ledger carry the job, the item and the templated prompt.
        var ledger = _gateway.Services.GetRequiredService<ILedger>();
        var picture = JobsGateway.Item(job, "picture");
        var pictureRun = await ledger.GetRunAsync(picture.GetProperty("run_ids")[0].GetString()!, Ct);
        Assert.Equal(id, pictureRun!.JobId);
        Assert.Equal("picture", pictureRun.ItemId);
        Assert.Equal((await _gateway.Store.GetAsync(id, Ct))!.OwnerKeyId, pictureRun.KeyId);
        Assert.StartsWith(description, pictureRun.PromptPreview, StringComparison.Ordinal);
        Assert.Contains("flat pastel", pictureRun.PromptPreview, StringComparison.Ordinal);
        var artifact = picture.GetProperty("output").GetProperty("artifact_ids")[0].GetString();
        using var image = await client.GetAsync($"/v1/artifacts/{artifact}", Ct);
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal("image/png", image.Content.Headers.ContentType?.MediaType);
        var audio = JobsGateway.Item(job, "audio").GetProperty("output").GetProperty("artifact_ids")[0].GetString();
        using var sound = await client.GetAsync($"/v1/artifacts/{audio}", Ct);
        Assert.Equal("audio/wav", sound.Content.Headers.ContentType?.MediaType);
        var echoRun = await ledger.GetRunAsync(JobsGateway.Item(job, "echo").GetProperty("run_ids")[0].GetString()!, Ct);
        Assert.Contains("Repeat: {", echoRun!.PromptPreview, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_TemplateReadsAMissingField_ItemFailsWithAClearReasonAndDependentsAreSkipped()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """
            { "items": [
                { "id": "card", "type": "text", "prompt": "Flashcard for 'cardio' as JSON with fields front, back" },
                { "id": "picture", "type": "image", "depends_on": ["card"], "prompt": "{{card.output.image_description}}" },
                { "id": "narration", "type": "speech", "depends_on": ["picture"], "input": "done", "voice": "alloy" } ] }
            """)).GetProperty("id").GetString()!;

        await _gateway.DrainAsync();

        var job = await JobsGateway.GetAsync(client, id);
        Assert.Equal("partially_succeeded", job.GetProperty("status").GetString());
        var error = JobsGateway.Item(job, "picture").GetProperty("error");
        Assert.Equal("invalid_request", error.GetProperty("class").GetString());
        Assert.Contains("has no field 'image_description' (it has: front, back)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        var skipped = JobsGateway.Item(job, "narration");
        Assert.Equal("skipped", skipped.GetProperty("status").GetString());
        Assert.Equal("dependency_failed", skipped.GetProperty("error").GetProperty("class").GetString());
        Assert.Equal(0, skipped.GetProperty("run_ids").GetArrayLength());
    }

    [Fact]
    public async Task Submit_FieldOfANonJsonOutput_FailsSayingItIsNotJson()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """
            { "items": [
                { "id": "prose", "type": "text", "prompt": "Tell me about trains" },
                { "id": "picture", "type": "image", "depends_on": ["prose"], "prompt": "{{prose.output.title}}" } ] }
            """)).GetProperty("id").GetString()!;

        await _gateway.DrainAsync();

        var error = JobsGateway.Item(await JobsGateway.GetAsync(client, id), "picture").GetProperty("error");
        Assert.Contains("the output of 'prose' is not JSON", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DependencyFails_DependentsAreSkippedTransitively_AndRetryableFailuresUseEveryAttempt()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """
            { "items": [
                { "id": "a", "type": "text", "model": "strict-text", "prompt": "[fail:unavailable] hello" },
                { "id": "b", "type": "text", "depends_on": ["a"], "prompt": "{{a.output}}" },
                { "id": "c", "type": "image", "depends_on": ["b"], "prompt": "{{b.output}}" },
                { "id": "d", "type": "text", "prompt": "independent" } ] }
            """)).GetProperty("id").GetString()!;

        await _gateway.DrainAsync();
        var between = await JobsGateway.GetAsync(client, id);
        Assert.Equal("running", between.GetProperty("status").GetString());
        Assert.Equal("queued", JobsGateway.Item(between, "a").GetProperty("status").GetString());
        Assert.Equal("unavailable", JobsGateway.Item(between, "a").GetProperty("last_error").GetProperty("class").GetString());

        _gateway.Time.Advance(TimeSpan.FromSeconds(5));
        await _gateway.DrainAsync();

        var job = await JobsGateway.GetAsync(client, id);
        Assert.Equal("partially_succeeded", job.GetProperty("status").GetString());
        var a = JobsGateway.Item(job, "a");
        Assert.Equal("failed", a.GetProperty("status").GetString());
        Assert.Equal(2, a.GetProperty("attempts").GetInt32());
        Assert.Equal(2, a.GetProperty("run_ids").GetArrayLength());
        Assert.Equal("unavailable", a.GetProperty("error").GetProperty("class").GetString());
        foreach (var skipped in new[] { "b", "c" })
        {
            var item = JobsGateway.Item(job, skipped);
            Assert.Equal("skipped", item.GetProperty("status").GetString());
            Assert.Equal("dependency_failed", item.GetProperty("error").GetProperty("class").GetString());
        }

        Assert.Contains("'b', which was skipped", JobsGateway.Item(job, "c").GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, job.GetProperty("counts").GetProperty("skipped").GetInt32());
    }

    [Fact]
    public async Task Cancel_QueuedItemsAreCancelled_TheRunningOneFinishes_JobEndsCancelled()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """{ "items": [ { "id": "a", "type": "text", "prompt": "one" }, { "id": "b", "type": "text", "prompt": "two" }, { "id": "c", "type": "text", "depends_on": ["a"], "prompt": "{{a.output}}" } ] }"""))
            .GetProperty("id").GetString()!;
        var running = await _gateway.Store.ClaimAsync(new JobClaim { RunId = "run_manual", Token = "t1", Now = _gateway.Time.GetUtcNow(), Lease = TimeSpan.FromSeconds(30), MaxAttempts = 2 }, Ct);

        using var response = await client.PostAsync($"/v1/jobs/{id}/cancel", null, Ct);
        var cancelled = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(cancelled.GetProperty("cancel_requested").GetBoolean());
        Assert.Equal("running", cancelled.GetProperty("status").GetString());
        Assert.Equal("cancelled", JobsGateway.Item(cancelled, "b").GetProperty("status").GetString());
        Assert.Equal("cancelled", JobsGateway.Item(cancelled, "c").GetProperty("status").GetString());
        Assert.Equal(0, await _gateway.DrainAsync());
        await _gateway.Store.CompleteAsync(running!, ItemResult.Success("done", []), _gateway.Time.GetUtcNow(), Ct);
        var job = await JobsGateway.GetAsync(client, id);
        Assert.Equal("cancelled", job.GetProperty("status").GetString());
        Assert.Equal("succeeded", JobsGateway.Item(job, "a").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Submit_SameIdempotencyKey_ReturnsTheSameJob_ADifferentBodyIs409()
    {
        using var client = _gateway.Client();
        const string body = """{ "items": [ { "id": "a", "type": "text", "prompt": "one" } ] }""";
        var first = await JobsGateway.SubmitAsync(client, body, "order-42");
        var again = await JobsGateway.SubmitAsync(client, body, "order-42");

        using var different = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = new StringContent("""{ "items": [ { "id": "a", "type": "text", "prompt": "two" } ] }""", System.Text.Encoding.UTF8, "application/json") };
        different.Headers.Add("Idempotency-Key", "order-42");
        using var conflict = await client.SendAsync(different, Ct);
        var error = await conflict.Content.ReadFromJsonAsync<JsonElement>(Ct);

        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        Assert.Equal("Idempotency-Key", error.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("idempotency_key_reused", error.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(1, await _gateway.DrainAsync());
    }

    [Fact]
    public async Task GetAndCancel_AnotherKeysJob_Is404_AdminSeesIt()
    {
        var ownerKey = await _gateway.CreateKeyAsync("owner");
        var otherKey = await _gateway.CreateKeyAsync("other");
        using var owner = _gateway.Client(ownerKey);
        using var other = _gateway.Client(otherKey);
        using var admin = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(owner, """{ "items": [ { "id": "a", "type": "text", "prompt": "one" } ] }""")).GetProperty("id").GetString()!;

        using var read = await other.GetAsync($"/v1/jobs/{id}", Ct);
        using var cancel = await other.PostAsync($"/v1/jobs/{id}/cancel", null, Ct);
        using var missing = await owner.GetAsync("/v1/jobs/job_nope", Ct);

        Assert.Equal(HttpStatusCode.NotFound, read.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(id, (await JobsGateway.GetAsync(admin, id)).GetProperty("id").GetString());
        Assert.Equal(id, (await JobsGateway.GetAsync(owner, id)).GetProperty("id").GetString());
        Assert.Equal("queued", (await JobsGateway.GetAsync(owner, id)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("""{ "items": [] }""", "items", "must not be empty")]
    [InlineData("""{ "items": [ { "id": "a", "type": "video", "prompt": "x" } ] }""", "items[0].type", "one of: image, text, speech")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" }, { "id": "a", "type": "text", "prompt": "y" } ] }""", "items[1].id", "items[0] already uses")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" }, { "id": "b", "type": "text", "depends_on": ["zzz"], "prompt": "y" } ] }""", "items[1].depends_on", "not an item of this job")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" }, { "id": "b", "type": "text", "depends_on": ["b"], "prompt": "y" } ] }""", "items[1].depends_on", "a cycle")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "depends_on": ["b"], "prompt": "x" }, { "id": "b", "type": "text", "prompt": "y" } ] }""", "items[0].depends_on", "forward reference")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" }, { "id": "b", "type": "image", "prompt": "{{a.output.f}}" } ] }""", "items[1].prompt", "not in items[1].depends_on")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" }, { "id": "b", "type": "image", "depends_on": ["a"], "prompt": "{{a.outptu}}" } ] }""", "items[1].prompt", "is not a template")]
    [InlineData("""{ "items": [ { "id": "a", "type": "image", "prompt": "x", "size": "9x9" } ] }""", "items[0].size", "not a size")]
    [InlineData("""{ "items": [ { "id": "a", "type": "speech", "input": "x" } ] }""", "items[0].voice", "required")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" } ], "webhook": { "url": "ftp://example.test/x" } }""", "webhook.url", "absolute http or https")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x" } ], "webhook": { "url": "https://example.test/x", "secret": "hunter2" } }""", "webhook.secret", "whsec_")]
    [InlineData("""{ "items": [ { "id": "a", "type": "text", "prompt": "x", "stream": true } ] }""", "items[0].stream", "not supported in a job")]
    [InlineData("""{ "itemz": [] }""", "itemz", "unknown field")]
    public async Task Submit_BadBody_Is400NamingTheField(string body, string param, string message)
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsync("/v1/jobs", new StringContent(body, System.Text.Encoding.UTF8, "application/json"), Ct);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Contains(message, error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.DoesNotContain("hunter2", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_TooManyItemsOrUnknownModel_IsAClear4xx()
    {
        using var client = _gateway.Client();
        var items = string.Join(",", Enumerable.Range(0, 21).Select(i => $$"""{ "id": "i{{i}}", "type": "text", "prompt": "x" }"""));
        using var tooMany = await client.PostAsync("/v1/jobs", new StringContent($$"""{ "items": [{{items}}] }""", System.Text.Encoding.UTF8, "application/json"), Ct);
        using var unknown = await client.PostAsync("/v1/jobs", new StringContent("""{ "items": [ { "id": "a", "type": "image", "model": "nope", "prompt": "x" } ] }""", System.Text.Encoding.UTF8, "application/json"), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Contains("jobs.max_items", await tooMany.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("items[0].model", (await unknown.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Webhooks_PerItemThenJobCompleted_EachEnqueuedOnce_WithTheJobViewAndNoPlainSecretStored()
    {
        using var client = _gateway.Client();
        const string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        var id = (await JobsGateway.SubmitAsync(client, $$"""
            { "items": [ { "id": "a", "type": "text", "prompt": "one" }, { "id": "b", "type": "text", "model": "strict-text", "prompt": "[fail:content_rejected] two" } ],
              "webhook": { "url": "https://hooks.example.test/switchyard", "secret": "{{secret}}", "per_item": true } }
            """)).GetProperty("id").GetString()!;
        Assert.Equal(0, await _gateway.Worker.DispatchWebhooksAsync(Ct));

        await _gateway.DrainAsync();
        Assert.Equal(3, await _gateway.Worker.DispatchWebhooksAsync(Ct));
        Assert.Equal(0, await _gateway.Worker.DispatchWebhooksAsync(Ct));

        var messages = _gateway.Outbox.Messages.ToList();
        Assert.Equal(["job.item.completed", "job.item.completed", "job.completed"], messages.Select(m => m.EventType));
        Assert.All(messages, m => Assert.Equal(id, m.SubjectId));
        Assert.All(messages, m => Assert.Equal(secret, m.Secret));
        Assert.All(messages, m => Assert.Equal(new Uri("https://hooks.example.test/switchyard"), m.Url));
        var completed = messages[2];
        var job = await JobsGateway.GetAsync(client, id);
        Assert.Equal(job.GetRawText(), completed.Data.GetRawText());
        Assert.Equal("partially_succeeded", completed.Data.GetProperty("status").GetString());
        Assert.Equal("b", messages[1].Data.GetProperty("item").GetProperty("id").GetString());
        var stored = await _gateway.Store.GetAsync(id, Ct);
        Assert.DoesNotContain(secret, stored!.Webhook!.ProtectedSecret, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, job.GetRawText(), StringComparison.Ordinal);
        Assert.True(stored.CompletionWebhookSent);
    }

    [Fact]
    public async Task Webhooks_CancelledJob_GetsJobCompletedOnce()
    {
        using var client = _gateway.Client();
        var id = (await JobsGateway.SubmitAsync(client, """{ "items": [ { "id": "a", "type": "text", "prompt": "one" } ], "webhook": { "url": "http://127.0.0.1:9/hook" } }""")).GetProperty("id").GetString()!;

        await client.PostAsync($"/v1/jobs/{id}/cancel", null, Ct);
        await _gateway.Worker.DispatchWebhooksAsync(Ct);
        await client.PostAsync($"/v1/jobs/{id}/cancel", null, Ct);
        await _gateway.Worker.DispatchWebhooksAsync(Ct);

        var message = Assert.Single(_gateway.Outbox.Messages);
        Assert.Equal("job.completed", message.EventType);
        Assert.Equal("cancelled", message.Data.GetProperty("status").GetString());
        Assert.Null(message.Secret);
        Assert.StartsWith("key_", message.OwnerKeyId, StringComparison.Ordinal);
    }
}
