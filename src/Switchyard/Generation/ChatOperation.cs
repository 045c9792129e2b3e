using System.Globalization;
using Switchyard.Providers;
using Switchyard.Routing;

namespace Switchyard.Generation;

/// <summary>A non-streamed chat completion on its way along a route.</summary>
internal sealed class ChatOperation : IGenerationOperation<ChatOutput>
{
    private readonly ChatRequest _request;

    public ChatOperation(ChatRequest request)
    {
        _request = request;
    }

    public object Request => _request;

    public bool Cacheable => _request.Seed is not null;

    public ValueTask<ProviderResult<ChatOutput>> CallAsync(IGenerationProvider provider, string? model, CancellationToken cancellationToken) =>
        provider.CompleteChatAsync(model, _request, cancellationToken);

    public ProviderFailure? Validate(ChatOutput output) => OutputValidator.Check(output);

    public ValueTask<ProviderFailure?> FinishAsync(ChatOutput output, string runId, CancellationToken cancellationToken) => ValueTask.FromResult<ProviderFailure?>(null);

    public string? Summarize(ChatOutput output) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"chars":{{output.Content.Length}},"prompt_tokens":{{output.PromptTokens}},"completion_tokens":{{output.CompletionTokens}},"finish_reason":"{{output.FinishReason}}"}""");
}
