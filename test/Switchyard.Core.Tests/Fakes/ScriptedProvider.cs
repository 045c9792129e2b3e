using System.Runtime.CompilerServices;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Fakes;

/// <summary>A provider whose answers are scripted per call, for engine decisions.</summary>
internal sealed class ScriptedProvider : IGenerationProvider
{
    private readonly Queue<Func<CancellationToken, Task<ProviderFailure?>>> _script = new();

    public ScriptedProvider(string name, string type = "scripted")
    {
        Name = name;
        Type = type;
    }

    public string Name { get; }

    public string Type { get; }

    public ProviderReadiness Readiness { get; set; } = ProviderReadiness.Ready;

    public string? NotCapableReason { get; set; }

    public int Calls { get; private set; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, TaskCompletionSource> _calls = new();

    /// <summary>Completes when the provider is first called.</summary>
    public Task Called => CallReached(1);

    /// <summary>Completes when the provider has been called <paramref name="count"/> times.</summary>
    public Task CallReached(int count) => _calls.GetOrAdd(count, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public List<string> StreamPieces { get; } = ["Hello", " world"];

    public ProviderFailure? FailMidStream { get; set; }

    /// <summary>Queues the outcome of the next call: null is a success.</summary>
    public ScriptedProvider Then(ProviderFailure? failure)
    {
        _script.Enqueue(_ => Task.FromResult(failure));
        return this;
    }

    /// <summary>Queues the same outcome for the next <paramref name="count"/> calls.</summary>
    public ScriptedProvider Times(int count, ProviderFailure? failure)
    {
        for (var i = 0; i < count; i++)
        {
            Then(failure);
        }

        return this;
    }

    /// <summary>Queues a call that waits until cancelled.</summary>
    public ScriptedProvider ThenHang()
    {
        _script.Enqueue(async ct =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, ct);
            return null;
        });
        return this;
    }

    public IReadOnlyList<string> ModelsFor(Modality modality) => ["m"];

    public string? CheckCapable(Modality modality, string? model, object request) => NotCapableReason;

    public async ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken)
    {
        var failure = await NextAsync(cancellationToken);
        return failure is null
            ? new ImageOutput([new GeneratedImage(new byte[] { 1, 2, 3 }, "image/png", request.Width, request.Height)])
            : failure;
    }

    public async ValueTask<ProviderResult<ChatOutput>> CompleteChatAsync(string? model, ChatRequest request, CancellationToken cancellationToken)
    {
        var failure = await NextAsync(cancellationToken);
        return failure is null ? new ChatOutput($"from {Name}", "stop", 3, 2) : failure;
    }

    public async IAsyncEnumerable<ChatStreamEvent> StreamChatAsync(string? model, ChatRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var failure = await NextAsync(cancellationToken);
        if (failure is not null)
        {
            yield return ChatStreamEvent.Fail(failure);
            yield break;
        }

        for (var i = 0; i < StreamPieces.Count; i++)
        {
            yield return ChatStreamEvent.Text(StreamPieces[i]);
            if (i == 0 && FailMidStream is { } mid)
            {
                yield return ChatStreamEvent.Fail(mid);
                yield break;
            }
        }

        yield return ChatStreamEvent.Finish("stop");
    }

    public async ValueTask<ProviderResult<SpeechOutput>> SynthesizeSpeechAsync(string? model, SpeechRequest request, CancellationToken cancellationToken)
    {
        var failure = await NextAsync(cancellationToken);
        return failure is null ? new SpeechOutput(new byte[] { 1 }, request.Format, TimeSpan.FromSeconds(1)) : failure;
    }

    private async Task<ProviderFailure?> NextAsync(CancellationToken cancellationToken)
    {
        Calls++;
        _calls.GetOrAdd(Calls, _ => new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return _script.TryDequeue(out var step) ? await step(cancellationToken) : null;
    }
}
