using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Http;
using Switchyard.Ledger;
using Switchyard.Routing;

namespace Switchyard.Jobs;

/// <summary>
/// Runs one attempt of an item as a normal run through the <see cref="GatewayEngine"/>: the templates are filled
/// from the outputs of the items it depends on, image items get the job's context, and the run carries the job
/// and item ids and the job owner's key, so the ledger shows it like any request. Outputs go to the artifact store.
/// </summary>
internal sealed class JobItemExecutor
{
    private readonly GatewayServices _services;
    private readonly ILedger _ledger;

    public JobItemExecutor(GatewayServices services, ILedger ledger)
    {
        _services = services;
        _ledger = ledger;
    }

    /// <summary>An attempt's end: the result, and whether another attempt could do better.</summary>
    public sealed record Outcome(ItemResult Result, bool Retryable);

    public async Task<Outcome> RunAsync(JobLease lease, JobRecord job, IReadOnlyList<JobItemRecord> items, CancellationToken cancellationToken)
    {
        var item = lease.Item;
        var path = $"items[{item.Seq}]";
        var request = JsonNode.Parse(item.Spec)!.AsObject();

        // Text outputs of the items this one depends on (their success is why it was queued).
        var outputs = items.Where(i => item.DependsOn.Contains(i.ItemId, StringComparer.Ordinal))
            .ToDictionary(i => i.ItemId, i => i.OutputText, StringComparer.Ordinal);
        foreach (var (field, text) in JobSubmission.TemplatedFields(request).ToList())
        {
            var (rendered, problem) = JobTemplate.Render(text, outputs);
            if (problem is not null)
            {
                return Fail(ErrorClass.InvalidRequest, $"{path}.{field}: {problem}");
            }

            JobSubmission.SetField(request, field, rendered!);
        }

        if (item.Type == Modality.Image && job.Context is { Length: > 0 } context && request["prompt"] is JsonValue prompt)
        {
            request["prompt"] = $"{prompt.GetValue<string>()}\n\n{context}";
        }

        var (parsed, invalid) = JobSubmission.Validate(item.Type, request, _services.Config);
        if (invalid is not null)
        {
            return Fail(ErrorClass.InvalidRequest, $"{path}{(invalid.Param is null ? "" : "." + invalid.Param)}: {invalid.Message}");
        }

        var model = request["model"]?.GetValue<string>() ?? item.Type.ToWire();
        if (_services.Routes.Resolve(model, item.Type) is not { } route)
        {
            return Fail(ErrorClass.Misconfigured, $"{path}.model: '{model}' is no longer a {item.Type.ToWire()} route, preset or provider/model in this gateway's config");
        }

        var outcome = item.Type switch
        {
            Modality.Image => await RunImageAsync(lease, job, route, model, (GenerationRequests.ParsedImage)parsed!, cancellationToken),
            Modality.Text => await RunChatAsync(lease, job, route, model, (GenerationRequests.ParsedChat)parsed!, cancellationToken),
            _ => await RunSpeechAsync(lease, job, route, model, (GenerationRequests.ParsedSpeech)parsed!, cancellationToken),
        };

        // The run is stored before the item is marked done, so a completed item always has its run in the ledger.
        if (_ledger is BufferedLedger buffered)
        {
            await buffered.FlushAsync(cancellationToken);
        }

        return outcome;
    }

    private async Task<Outcome> RunImageAsync(JobLease lease, JobRecord job, ResolvedRoute route, string model, GenerationRequests.ParsedImage parsed, CancellationToken cancellationToken)
    {
        var prompt = parsed.Request.Prompt;
        if (_services.CheckPrompt(route, "prompt", ref prompt) is { } rejected)
        {
            return Fail(ErrorClass.InvalidRequest, $"items[{lease.Item.Seq}].prompt: {rejected.Message}");
        }

        var request = PresetTemplates.Apply(route.Preset, parsed.Request with { Prompt = prompt });
        var operation = new ImageOperation(request, _services.Validator, _services.Artifacts, job.OwnerKeyId);
        var summary = JsonSerializer.Serialize(new Dictionary<string, object?> { ["n"] = request.Count, ["size"] = $"{request.Width}x{request.Height}", ["job"] = true });
        var result = await _services.Engine.ExecuteAsync(RunRequest(lease, job, route, model, "images.generations", "prompt", request.Prompt, summary), operation, cancellationToken);
        return result.Error is { } error ? Failed(error) : new Outcome(ItemResult.Success(null, [.. operation.Artifacts.Select(a => a.Id)]), false);
    }

    private async Task<Outcome> RunChatAsync(JobLease lease, JobRecord job, ResolvedRoute route, string model, GenerationRequests.ParsedChat parsed, CancellationToken cancellationToken)
    {
        var messages = new List<ChatMessage>(parsed.Request.Messages.Count);
        foreach (var message in parsed.Request.Messages)
        {
            var content = message.Content;
            if (content.Length > 0 && _services.CheckPrompt(route, "messages", ref content) is { } rejected)
            {
                return Fail(ErrorClass.InvalidRequest, $"items[{lease.Item.Seq}].messages: {rejected.Message}");
            }

            messages.Add(message with { Content = content });
        }

        var request = GenerationEndpoints.ApplyPreset(route, parsed.Request with { Messages = messages });
        var summary = JsonSerializer.Serialize(new Dictionary<string, object?> { ["messages"] = request.Messages.Count, ["max_tokens"] = request.MaxTokens, ["job"] = true });
        var result = await _services.Engine.ExecuteAsync(RunRequest(lease, job, route, model, "chat.completions", "messages", parsed.Prompt, summary), new ChatOperation(request), cancellationToken);
        return result.Error is { } error ? Failed(error) : new Outcome(ItemResult.Success(result.Output!.Content, []), false);
    }

    private async Task<Outcome> RunSpeechAsync(JobLease lease, JobRecord job, ResolvedRoute route, string model, GenerationRequests.ParsedSpeech parsed, CancellationToken cancellationToken)
    {
        var input = parsed.Request.Input;
        if (_services.CheckPrompt(route, "input", ref input) is { } rejected)
        {
            return Fail(ErrorClass.InvalidRequest, $"items[{lease.Item.Seq}].input: {rejected.Message}");
        }

        var request = parsed.Request with { Input = input };
        var operation = new SpeechOperation(request, _services.Validator, _services.Artifacts, job.OwnerKeyId);
        var summary = JsonSerializer.Serialize(new Dictionary<string, object?> { ["format"] = request.Format.ToWire(), ["voice"] = request.Voice, ["job"] = true });
        var result = await _services.Engine.ExecuteAsync(RunRequest(lease, job, route, model, "audio.speech", "input", request.Input, summary), operation, cancellationToken);
        return result.Error is { } error ? Failed(error) : new Outcome(ItemResult.Success(null, operation.Artifact is { } artifact ? [artifact.Id] : []), false);
    }

    private static RunRequest RunRequest(JobLease lease, JobRecord job, ResolvedRoute route, string model, string endpoint, string promptField, string prompt, string summary) => new()
    {
        RunId = lease.RunId,
        KeyId = job.OwnerKeyId,
        Route = route,
        RequestedModel = model,
        Endpoint = endpoint,
        Prompt = prompt,
        PromptField = promptField,
        JobItem = (job.Id, lease.ItemId),
        RequestSummary = summary,
    };

    // Worth another attempt: what may pass (limits, timeouts, outages); the caller's or the config's faults will not.
    private static Outcome Failed(RunError error) =>
        new(ItemResult.Failure(error.Class.ToWire(), error.Message), error.Class is ErrorClass.RateLimited or ErrorClass.Timeout or ErrorClass.Unavailable or ErrorClass.Cancelled);

    private static Outcome Fail(ErrorClass errorClass, string message) => new(ItemResult.Failure(errorClass.ToWire(), message), false);
}
