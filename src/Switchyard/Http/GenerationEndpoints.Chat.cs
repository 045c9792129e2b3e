using System.Globalization;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Routing;

namespace Switchyard.Http;

internal static partial class GenerationEndpoints
{
    private static readonly byte[] DataPrefix = "data: "u8.ToArray();
    private static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    private static async Task<IResult> CreateChatCompletionAsync(HttpContext http, GatewayServices services)
    {
        var call = await services.BeginAsync(http, Modality.Text, "chat.completions");
        using var body = call.Document;
        if (call.Problem is not null)
        {
            return await services.RejectAsync(http, call, null, call.Problem);
        }

        var (parsed, problem) = GenerationRequests.Chat(new JsonRequest(body!.RootElement), services.Config.Server);
        if (problem is not null)
        {
            return await services.RejectAsync(http, call, ModelOf(body), problem);
        }

        var model = parsed!.Model ?? "text";
        if (services.Resolve(call, model, Modality.Text) is not { } route)
        {
            return await services.RejectAsync(http, call, model, UnknownModel(model, Modality.Text));
        }

        // The prompt check may redact a message: only then are the messages copied.
        var original = parsed.Request.Messages;
        List<ChatMessage>? messages = null;
        for (var i = 0; i < original.Count; i++)
        {
            var content = original[i].Content;
            if (content.Length > 0 && services.CheckPrompt(route, "messages", ref content) is { } rejected)
            {
                return await services.RejectAsync(http, call, model, rejected);
            }

            if (!ReferenceEquals(content, original[i].Content))
            {
                messages ??= [.. original];
                messages[i] = original[i] with { Content = content };
            }
        }

        var request = ApplyPreset(route, messages is null ? parsed.Request : parsed.Request with { Messages = messages });
        var summary = ChatSummary(request.Messages.Count, parsed.Stream, request.MaxTokens);
        var runRequest = GatewayServices.RunRequest(call, route, model, parsed.Prompt, summary);
        using var admission = await services.AdmitAsync(http, call);
        if (!admission.Admitted)
        {
            return await services.RefuseAsync(http, runRequest, admission);
        }

        if (parsed.Stream)
        {
            await StreamChatAsync(http, services, runRequest, request, parsed.IncludeUsage);
            return Results.Empty;
        }

        var result = await services.Engine.ExecuteAsync(runRequest, new ChatOperation(request), http.RequestAborted);
        RunHeaders.Apply(http.Response, result.Run, result.Attempts, result.CacheHit);
        if (result.Error is { } error)
        {
            return ErrorResults.From(error, result.Run.Id);
        }

        var output = result.Output!;
        var completion = new ChatCompletion(
            CompletionId(result.Run.Id),
            services.Time.GetUtcNow().ToUnixTimeSeconds(),
            ServedModel(result.Run),
            [new ChatChoice(0, new ChatResponseMessage(output.Content), output.FinishReason)],
            new ChatUsage(output.PromptTokens, output.CompletionTokens));
        return new WireJsonResult<ChatCompletion>(completion, WireJsonContext.Default.ChatCompletion);
    }

    private static async Task StreamChatAsync(HttpContext http, GatewayServices services, RunRequest runRequest, ChatRequest request, bool includeUsage)
    {
        var stream = await services.Engine.StartChatStreamAsync(runRequest, request, http.RequestAborted);
        RunHeaders.Apply(http.Response, stream.Run, stream.Attempts);
        if (stream.Failed is { Error: { } error } failed)
        {
            await ErrorResults.From(error, failed.Run.Id).ExecuteAsync(http);
            return;
        }

        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        var id = CompletionId(stream.Run.Id);
        var created = services.Time.GetUtcNow().ToUnixTimeSeconds();
        var model = ServedModel(stream.Run);
        var completionChars = 0;

        await WriteEventAsync(response, new ChatChunk(id, created, model, [new ChatChunkChoice(0, new ChatDelta("assistant", ""), null)], null), http.RequestAborted);
        await foreach (var item in stream.Events.WithCancellation(http.RequestAborted))
        {
            if (item.Failure is { } failure)
            {
                // Headers and text are already sent: the failure goes to the client as an error event.
                var body = new ErrorEnvelope(new ErrorBody($"{stream.Run.ServedProvider}: {failure.Class.ToWire()} - {failure.Message}", "server_error", null, failure.Class.ToWire()), stream.Run.Id);
                await response.Body.WriteAsync(DataPrefix, http.RequestAborted);
                await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(body, WireJsonContext.Wire.ErrorEnvelope), http.RequestAborted);
                await response.Body.WriteAsync(EventEnd, http.RequestAborted);
                await response.Body.FlushAsync(http.RequestAborted);
                return;
            }

            completionChars += item.Delta.Length;
            var choice = item.FinishReason is { } reason
                ? new ChatChunkChoice(0, new ChatDelta(null, item.Delta.Length > 0 ? item.Delta : null), reason)
                : new ChatChunkChoice(0, new ChatDelta(null, item.Delta), null);
            await WriteEventAsync(response, new ChatChunk(id, created, model, [choice], null), http.RequestAborted);
        }

        if (includeUsage)
        {
            var usage = new ChatUsage(EstimateTokens(request.Messages.Sum(m => m.Content.Length)), EstimateTokens(completionChars));
            await WriteEventAsync(response, new ChatChunk(id, created, model, [], usage), http.RequestAborted);
        }

        await response.Body.WriteAsync(Done, http.RequestAborted);
        await response.Body.FlushAsync(http.RequestAborted);
    }

    private static async Task WriteEventAsync(HttpResponse response, ChatChunk chunk, CancellationToken cancellationToken)
    {
        await response.Body.WriteAsync(DataPrefix, cancellationToken);
        await response.Body.WriteAsync(JsonSerializer.SerializeToUtf8Bytes(chunk, WireJsonContext.Wire.ChatChunk), cancellationToken);
        await response.Body.WriteAsync(EventEnd, cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    internal static ChatRequest ApplyPreset(ResolvedRoute route, ChatRequest request)
    {
        if (route.Preset?.Prompt is not { Length: > 0 } template)
        {
            return request;
        }

        // A preset on a text route acts as a system instruction placed before the conversation.
        return request with { Messages = [new ChatMessage("system", template), .. request.Messages] };
    }

    // The ledger's request summary, written directly (the same JSON the reflection serializer made of a dictionary).
    private static string ChatSummary(int messages, bool stream, int? maxTokens) => maxTokens is { } max
        ? string.Create(CultureInfo.InvariantCulture, $$"""{"messages":{{messages}},"stream":{{(stream ? "true" : "false")}},"max_tokens":{{max}}}""")
        : string.Create(CultureInfo.InvariantCulture, $$"""{"messages":{{messages}},"stream":{{(stream ? "true" : "false")}},"max_tokens":null}""");

    private static string CompletionId(string runId) => "chatcmpl-" + runId["run_".Length..];

    private static string ServedModel(Ledger.RunRecord run) =>
        run.ServedProvider is null ? run.RequestedModel : run.ServedModel is null ? run.ServedProvider : $"{run.ServedProvider}/{run.ServedModel}";

    private static int EstimateTokens(int chars) => Math.Max(1, (chars + 3) / 4);
}
