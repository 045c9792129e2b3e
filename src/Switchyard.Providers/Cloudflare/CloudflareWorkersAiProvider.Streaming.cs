using System.Runtime.CompilerServices;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Cloudflare;

internal sealed partial class CloudflareWorkersAiProvider
{
    /// <summary>
    /// <c>stream: true</c>: Workers AI answers <c>text/event-stream</c> with <c>data: {"response":"…"}</c> events and a final
    /// <c>data: [DONE]</c>. A stream that ends without <c>[DONE]</c> ends with an <see cref="ErrorClass.Unavailable"/> failure.
    /// </summary>
    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var resolved = model ?? ModelsFor(Modality.Text)[0];
        if (NotReady() is { } notReady)
        {
            yield return ChatStreamEvent.Fail(notReady);
            yield break;
        }

        var (response, failure) = await SendAsync(resolved, ChatBody(request, stream: true), CloudflareJsonContext.Default.CloudflareChatBody, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            yield return ChatStreamEvent.Fail(failure);
            yield break;
        }

        using (response)
        {
            var status = (int)response!.StatusCode;
            if (!UpstreamHttp.MediaType(response).Contains("event-stream", StringComparison.Ordinal))
            {
                // Not a stream after all (a model without streaming answers the whole envelope): pass it on as one piece.
                var whole = await CompleteFromBodyAsync(response, resolved, request, cancellationToken).ConfigureAwait(false);
                if (whole.Failure is { } wholeFailure)
                {
                    yield return ChatStreamEvent.Fail(wholeFailure);
                    yield break;
                }

                yield return ChatStreamEvent.Text(whole.Value!.Content);
                yield return ChatStreamEvent.Finish(whole.Value.FinishReason);
                yield break;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
            var done = false;
            while (!done)
            {
                var (line, readFailure) = await ReadLineAsync(reader, status, cancellationToken).ConfigureAwait(false);
                if (readFailure is not null)
                {
                    yield return ChatStreamEvent.Fail(readFailure);
                    yield break;
                }

                if (line is null)
                {
                    break;
                }

                if (!line.StartsWith("data:", StringComparison.Ordinal))
                {
                    continue; // blank separators, comments and other SSE fields
                }

                var data = line["data:".Length..].Trim();
                if (data == "[DONE]")
                {
                    done = true;
                    continue;
                }

                var (piece, pieceFailure) = ReadPiece(resolved, status, data);
                if (pieceFailure is not null)
                {
                    yield return ChatStreamEvent.Fail(pieceFailure);
                    yield break;
                }

                if (piece.Length > 0)
                {
                    yield return ChatStreamEvent.Text(piece);
                }
            }

            if (!done)
            {
                yield return ChatStreamEvent.Fail(new ProviderFailure
                {
                    Class = ErrorClass.Unavailable,
                    Message = $"{Name}: the {resolved} stream ended before data: [DONE]",
                    HttpStatus = status,
                    Code = "stream_interrupted",
                    Step = "receive",
                });
                yield break;
            }

            yield return ChatStreamEvent.Finish("stop");
        }
    }

    private async ValueTask<ProviderResult<ChatOutput>> CompleteFromBodyAsync(HttpResponseMessage response, string model, ChatRequest request, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var envelope = CloudflareErrors.ReadEnvelope(text);
        if (envelope is null)
        {
            return Failure(ErrorClass.Unavailable, $"{Name}: {model} answered a body that is neither a stream nor the Workers AI envelope: {UpstreamHttp.Shorten(text)}", response, "unexpected_body");
        }

        if (envelope.Success == false)
        {
            return CloudflareErrors.Map(Name, model, (int)response.StatusCode, text, null);
        }

        var content = ReadResponseText(envelope.Result);
        return new ChatOutput(content, "stop", ChatText.EstimatePromptTokens(request), ChatText.EstimateTokens(content));
    }

    private async ValueTask<(string? Line, ProviderFailure? Failure)> ReadLineAsync(StreamReader reader, int status, CancellationToken cancellationToken)
    {
        try
        {
            return (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return (null, UpstreamHttp.BodyFailed(Name, status, exception));
        }
    }

    /// <summary>The text of one event: <c>response</c>, or an OpenAI-style <c>choices[0].delta.content</c>; an error event is a failure.</summary>
    private (string Text, ProviderFailure? Failure) ReadPiece(string model, int status, string data)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(data);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (string.Empty, new ProviderFailure
            {
                Class = ErrorClass.Unavailable,
                Message = $"{Name}: the {model} stream sent an event that is not JSON: {UpstreamHttp.Shorten(data)}",
                HttpStatus = status,
                Code = "unexpected_body",
                Step = "receive",
            });
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return (string.Empty, null);
        }

        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            return (string.Empty, CloudflareErrors.Map(Name, model, status, data, null));
        }

        if (root.TryGetProperty("response", out var response) && response.ValueKind == JsonValueKind.String)
        {
            return (response.GetString() ?? string.Empty, null);
        }

        if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
            && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var content)
            && content.ValueKind == JsonValueKind.String)
        {
            return (content.GetString() ?? string.Empty, null);
        }

        return (string.Empty, null);
    }
}
