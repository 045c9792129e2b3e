using Microsoft.Extensions.Time.Testing;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Media;
using Switchyard.Providers.Placeholder;
using Switchyard.Providers.Sandbox;

namespace Switchyard.Providers.Tests;

internal static class TestProviders
{
    public static ProviderConfig Config(string name, string type, Dictionary<string, string>? settings = null, TimeSpan? timeout = null) => new()
    {
        Name = name,
        Type = type,
        Settings = settings ?? [],
        Timeout = timeout ?? TimeSpan.FromSeconds(60),
    };

    public static SandboxProvider Sandbox(
        Dictionary<string, string>? settings = null,
        TimeProvider? time = null,
        string name = "sandbox-a",
        AudioEncoder? encoder = null,
        SpeechEngine? speech = null,
        TimeSpan? timeout = null)
    {
        var config = Config(name, "sandbox", settings, timeout);
        return new SandboxProvider(config, SandboxOptions.FromSettings(config.Settings), time ?? new FakeTimeProvider(), null, encoder ?? AudioEncoder.Default, speech ?? SpeechEngine.Default);
    }

    public static PlaceholderProvider Placeholder(AudioEncoder? encoder = null, SpeechEngine? speech = null) =>
        new(Config("placeholder", "placeholder"), null, encoder ?? AudioEncoder.Default, speech ?? SpeechEngine.Default);

    /// <summary>An encoder that finds none of the external programs.</summary>
    public static AudioEncoder BareEncoder() => new(_ => null, TimeProvider.System);

    /// <summary>A speech engine without espeak-ng: the tone generator.</summary>
    public static SpeechEngine ToneSpeech() => new(null, TimeProvider.System);

    public static ChatRequest Chat(string prompt, bool json = false, int? maxTokens = null) => new()
    {
        Messages = [new ChatMessage("system", "Be brief."), new ChatMessage("user", prompt)],
        JsonOutput = json,
        MaxTokens = maxTokens,
    };

    public static ImageRequest Image(string prompt, int width = 256, int height = 256, int count = 1, string? style = null) => new()
    {
        Prompt = prompt,
        Width = width,
        Height = height,
        Count = count,
        Style = style,
    };

    public static SpeechRequest Speech(string input, AudioFormat format) => new() { Input = input, Voice = "alloy", Format = format };

    public static async Task<List<ChatStreamEvent>> CollectAsync(IAsyncEnumerable<ChatStreamEvent> stream)
    {
        var events = new List<ChatStreamEvent>();
        await foreach (var item in stream)
        {
            events.Add(item);
        }

        return events;
    }
}
