using System.Security.Cryptography;
using System.Text;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Sandbox;

/// <summary>The sandbox's chat replies: a few deterministic sentences built from the prompt, or JSON when asked.</summary>
internal static class SandboxText
{
    private static readonly string[] Openers =
    [
        "You asked about {0}.",
        "Here is a short answer on {0}.",
        "Thinking about {0}.",
    ];

    private static readonly HashSet<string> Filler = new(StringComparer.OrdinalIgnoreCase)
    {
        "the", "and", "for", "with", "that", "this", "from", "into", "about", "what", "your", "please", "write", "give", "tell",
        "make", "some", "are", "was", "how", "why", "who", "can", "you", "json", "fields", "field", "as",
    };

    /// <summary>The whole reply and its finish reason (length when <see cref="ChatRequest.MaxTokens"/> cut it).</summary>
    public static (string Content, string FinishReason) Compose(ChatRequest request)
    {
        var prompt = SandboxDirective.Strip(ChatText.Prompt(request));
        var content = ChatText.WantsJson(request, prompt) ? Json(prompt) : Prose(prompt, request.Seed);

        foreach (var stop in request.Stop ?? [])
        {
            var at = stop.Length > 0 ? content.IndexOf(stop, StringComparison.Ordinal) : -1;
            if (at >= 0)
            {
                content = content[..at];
            }
        }

        // JSON is never cut: a half object helps nobody, and a real model would rather stop early.
        if (request.MaxTokens is { } max && max > 0 && ChatText.EstimateTokens(content) > max && !content.StartsWith('{'))
        {
            return (content[..Math.Min(content.Length, max * 4)], "length");
        }

        return (content, "stop");
    }

    private static string Prose(string prompt, long? seed)
    {
        var words = prompt
            .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Trim('.', ',', ';', ':', '!', '?', '"', '\'', '(', ')', '[', ']'))
            .Where(w => w.Length >= 3 && !Filler.Contains(w))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(5)
            .ToList();
        var subject = words.Count switch
        {
            0 => "your message",
            1 => words[0],
            _ => string.Join(", ", words.Take(words.Count - 1)) + " and " + words[^1],
        };

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{prompt}\n{seed}"));
        var builder = new StringBuilder("[sandbox] ");
        builder.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, Openers[hash[0] % Openers.Length], subject));
        builder.Append(" This reply comes from the Switchyard sandbox, an offline emulator, so it contains no real model output.");
        if (words.Count > 0)
        {
            builder.Append(" A real provider would say more about ").Append(words[hash[1] % words.Count]).Append(" here.");
        }

        return builder.ToString();
    }

    private static string Json(string prompt)
    {
        var topic = ChatText.Topic(prompt);
        var fields = ChatText.RequestedFields(prompt);
        if (fields.Count == 0)
        {
            return ChatText.JsonObject(
            [
                new("source", "sandbox"),
                new("topic", topic),
                new("reply", $"[sandbox] A JSON reply about {topic}, from the Switchyard sandbox (no real model output)."),
            ]);
        }

        return ChatText.JsonObject(fields.Select(f => new KeyValuePair<string, string>(f, $"sandbox {f.Replace('_', ' ')} for {topic}")));
    }
}
