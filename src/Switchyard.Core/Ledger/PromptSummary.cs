using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchyard.Ledger;

/// <summary>What the ledger keeps of a prompt: a hash to group identical prompts and a short redacted preview.</summary>
public static partial class PromptSummary
{
    /// <summary>The longest preview kept.</summary>
    public const int PreviewLength = 160;

    /// <summary>SHA-256 of the prompt as lowercase hex.</summary>
    public static string Hash(string prompt) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt)));

    /// <summary>The prompt's start with credential-shaped strings and e-mail addresses replaced.</summary>
    public static string Preview(string prompt)
    {
        var head = prompt.Length > PreviewLength * 2 ? prompt[..(PreviewLength * 2)] : prompt;
        var redacted = SecretPattern().Replace(head, "[redacted]");
        redacted = EmailPattern().Replace(redacted, "[email]");
        return redacted.Length > PreviewLength ? redacted[..PreviewLength] + "…" : redacted;
    }

    // API keys of the common providers and of Switchyard, bearer tokens, and long opaque tokens.
    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-]{8,}|sy_[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|\b[A-Za-z0-9_\-]{40,}\b)")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();
}
