using System.Buffers;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Switchyard.Hashing;

namespace Switchyard.Ledger;

/// <summary>What the ledger keeps of a prompt: a hash to group identical prompts and a short redacted preview.</summary>
public static partial class PromptSummary
{
    /// <summary>The longest preview kept.</summary>
    public const int PreviewLength = 160;

    /// <summary>SHA-256 of the prompt as lowercase hex.</summary>
    public static string Hash(string prompt)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        Utf8Sha256.Hash(prompt, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The prompt's start with credential-shaped strings and e-mail addresses replaced.</summary>
    public static string Preview(string prompt)
    {
        var head = prompt.Length > PreviewLength * 2 ? prompt[..(PreviewLength * 2)] : prompt;
        var redacted = MayHoldSecret(head) ? SecretPattern().Replace(head, "[redacted]") : head;
        redacted = redacted.Contains('@', StringComparison.Ordinal) ? EmailPattern().Replace(redacted, "[email]") : redacted;
        return redacted.Length > PreviewLength ? string.Concat(redacted.AsSpan(0, PreviewLength), "…") : redacted;
    }

    private static readonly SearchValues<string> SecretStarts = SearchValues.Create(["sk-", "sy_", "whsec_", "bearer"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    // A cheap first look: SecretPattern can only match where one of its prefixes is, or in a run of 40 token characters.
    // Most prompts have neither, so most never reach the regex.
    private static bool MayHoldSecret(ReadOnlySpan<char> text)
    {
        if (text.ContainsAny(SecretStarts))
        {
            return true;
        }

        while (text.IndexOfAny(TokenChars) is var start and >= 0)
        {
            text = text[start..];
            var end = text.IndexOfAnyExcept(TokenChars);
            var run = end < 0 ? text.Length : end;
            if (run >= 40)
            {
                return true;
            }

            if (end < 0)
            {
                return false;
            }

            text = text[end..];
        }

        return false;
    }

    // API keys of the common providers and of Switchyard, bearer tokens, and long opaque tokens.
    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-]{8,}|sy_[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|\b[A-Za-z0-9_\-]{40,}\b)")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();
}
