using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.OpenAI;

internal sealed partial class OpenAIProvider
{
    private const string ChatPath = "/chat/completions";

    public async ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (NotReady(Modality.Text, model, out var resolved) is { } notReady)
        {
            return notReady;
        }

        var body = BuildChatRequest(resolved, request, stream: false);
        var (response, failure) = await PostAsync(ChatPath, Json(body, OpenAIJsonContext.Default.ChatCompletionRequest), resolved, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        ChatAnswer answer;
        using (response)
        {
            (answer, failure) = await ReadJsonAsync(response!, 0, static (json, _) => ChatAnswerReader.Read(json), ChatPath, cancellationToken).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            return failure;
        }

        var content = answer.Content ?? string.Empty;
        var finish = answer.FinishReason ?? "stop";

        // A refusal (structured outputs) carries no content: recorded as the content filter it amounts to.
        if (content.Length == 0 && answer.HasRefusal)
        {
            finish = "content_filter";
        }

        // No choices or blank text is returned as such: the engine's output validator records it as empty_output,
        // and a content_filter finish as content_rejected.
        var promptTokens = answer.PromptTokens ?? ChatText.EstimatePromptTokens(request);
        var completionTokens = answer.CompletionTokens ?? ChatText.EstimateTokens(content);
        return new ChatOutput(content, finish, promptTokens, completionTokens);
    }

    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (NotReady(Modality.Text, model, out var resolved) is { } notReady)
        {
            yield return ChatStreamEvent.Fail(notReady);
            yield break;
        }

        var body = BuildChatRequest(resolved, request, stream: true);
        var (response, failure) = await PostAsync(ChatPath, Json(body, OpenAIJsonContext.Default.ChatCompletionRequest), resolved, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            yield return ChatStreamEvent.Fail(failure);
            yield break;
        }

        using (response)
        {
            var (stream, openFailure) = await OpenStreamAsync(response!, cancellationToken).ConfigureAwait(false);
            if (openFailure is not null)
            {
                yield return ChatStreamEvent.Fail(openFailure);
                yield break;
            }

            await using (stream!.ConfigureAwait(false))
            {
                using var reader = new StreamReader(stream!, Encoding.UTF8);
                var events = new ServerSentEventReader(reader);
                while (true)
                {
                    var (next, readFailure) = await NextEventAsync(events, cancellationToken).ConfigureAwait(false);
                    if (readFailure is not null)
                    {
                        yield return ChatStreamEvent.Fail(readFailure);
                        yield break;
                    }

                    if (next is null)
                    {
                        // The connection closed without [DONE] or a finish_reason: the answer may be cut short.
                        yield return ChatStreamEvent.Fail(StreamBroken("the stream ended without a finish_reason or [DONE]"));
                        yield break;
                    }

                    if (next.Data == "[DONE]")
                    {
                        yield return ChatStreamEvent.Finish("stop");
                        yield break;
                    }

                    var (chunk, parseFailure) = ParseChunk(next);
                    if (parseFailure is not null)
                    {
                        yield return ChatStreamEvent.Fail(parseFailure);
                        yield break;
                    }

                    if (chunk is null)
                    {
                        continue;
                    }

                    var choice = chunk.Choices?.FirstOrDefault(c => c.Index == 0);
                    if (choice?.Delta?.Content is { Length: > 0 } delta)
                    {
                        yield return ChatStreamEvent.Text(delta);
                    }

                    if (choice?.FinishReason is { } reason)
                    {
                        // The usage chunk and [DONE] may follow; the gateway does not need them.
                        yield return ChatStreamEvent.Finish(reason);
                        yield break;
                    }
                }
            }
        }
    }

    private OpenAIWire.ChatCompletionRequest BuildChatRequest(string model, ChatRequest request, bool stream)
    {
        var tokensField = _options.MaxTokensField ?? _flavor.MaxTokensField;
        return new OpenAIWire.ChatCompletionRequest
        {
            Model = model,
            Messages = request.Messages.Select(m => new OpenAIWire.Message(m.Role, m.Content)).ToList(),
            MaxTokens = tokensField == "max_tokens" ? request.MaxTokens : null,
            MaxCompletionTokens = tokensField == "max_completion_tokens" ? request.MaxTokens : null,
            Temperature = request.Temperature,
            TopP = request.TopP,
            Seed = request.Seed,
            Stop = request.Stop is { Count: > 0 } stop ? stop.ToList() : null,
            ResponseFormat = request.JsonOutput ? new OpenAIWire.ResponseFormat("json_object") : null,
            Stream = stream ? true : null,
            StreamOptions = stream && _flavor.StreamUsage ? new OpenAIWire.StreamOptions(true) : null,
        };
    }

    private async ValueTask<(Stream? Stream, ProviderFailure? Failure)> OpenStreamAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return (await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return (null, StreamBroken(exception.Message));
        }
    }

    // Reading is wrapped here because an iterator cannot yield inside a try with a catch.
    private async ValueTask<(ServerSentEvent? Event, ProviderFailure? Failure)> NextEventAsync(ServerSentEventReader events, CancellationToken cancellationToken)
    {
        try
        {
            return (await events.ReadAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return (null, StreamBroken(exception.Message));
        }
    }

    private (OpenAIWire.ChatCompletionChunk? Chunk, ProviderFailure? Failure) ParseChunk(ServerSentEvent sse)
    {
        var key = _config.ApiKey?.Reveal();
        if (sse.Name == "error")
        {
            // An `event: error` frame (some compatible servers): its data is an error object, or plain text.
            ProviderFailure failure;
            try
            {
                using var document = JsonDocument.Parse(sse.Data);
                var root = document.RootElement;
                var error = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var inner) ? inner : root;
                failure = OpenAIErrorMapper.FromStreamError(Name, error, key);
            }
            catch (JsonException)
            {
                failure = new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{Name}: stream error: {OpenAIErrorMapper.Clean(sse.Data, key)}", Code = "stream_error", Step = "receive" };
            }

            Log.StreamFailed(_logger, Name, failure.Class.ToWire(), failure.Code);
            return (null, failure);
        }

        OpenAIWire.ChatCompletionChunk? chunk;
        try
        {
            chunk = JsonSerializer.Deserialize(sse.Data, OpenAIJsonContext.Default.ChatCompletionChunk);
        }
        catch (JsonException exception)
        {
            return (null, StreamBroken($"a stream event is not JSON: {exception.Message}"));
        }

        if (chunk?.Error is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } chunkError)
        {
            var failure = OpenAIErrorMapper.FromStreamError(Name, chunkError, key);
            Log.StreamFailed(_logger, Name, failure.Class.ToWire(), failure.Code);
            return (null, failure);
        }

        return (chunk, null);
    }

    private ProviderFailure StreamBroken(string message)
    {
        Log.StreamFailed(_logger, Name, ErrorClass.Unavailable.ToWire(), "stream_broken");
        return new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{Name}: the stream broke: {OpenAIErrorMapper.Clean(message, null)}", Code = "stream_broken", Step = "receive" };
    }
}
