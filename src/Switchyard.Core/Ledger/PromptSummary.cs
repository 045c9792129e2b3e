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
        var head = prompt.AsSpan(0, Math.Min(prompt.Length, PreviewLength * 2));
        var secret = MayHoldSecret(head);
        if (!secret && !head.Contains('@'))
        {
            // Nearly every prompt: nothing to redact, so no copy of the head either.
            return prompt.Length > PreviewLength ? string.Concat(prompt.AsSpan(0, PreviewLength), "…") : prompt;
        }

        var redacted = head.Length == prompt.Length ? prompt : head.ToString();
        redacted = secret ? SecretPattern().Replace(redacted, "[redacted]") : redacted;
        redacted = redacted.Contains('@', StringComparison.Ordinal) ? EmailPattern().Replace(redacted, "[email]") : redacted;
        return redacted.Length > PreviewLength ? string.Concat(redacted.AsSpan(0, PreviewLength), "…") : redacted;
    }

    private static readonly SearchValues<string> SecretStarts = SearchValues.Create(["sk-", "sy_", "whsec_", "bearer"], StringComparison.OrdinalIgnoreCase);
    private static readonly SearchValues<char> TokenChars = SearchValues.Create("-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    // A cheap first look: SecretPattern can only match where one of its prefixes is, or in a run of 40 token characters.
    // Most prompts have neither, so most never reach the regex.
    private static bool MayHoldSecret(ReadOnlySpan<char> text) => text.ContainsAny(SecretStarts) || HasTokenRun(text, 40);

    // Whether text holds `length` token characters in a row. It looks at the last character of a candidate window
    // and skips a whole window past any other character, so prose costs a few look-ups per 40 characters, not a
    // vectorized search per word.
    private static bool HasTokenRun(ReadOnlySpan<char> text, int length)
    {
        var end = length - 1;
        while (end < text.Length)
        {
            if (!TokenChars.Contains(text[end]))
            {
                end += length;
                continue;
            }

            var start = end - length + 1;
            var i = end - 1;
            while (i >= start && TokenChars.Contains(text[i]))
            {
                i--;
            }

            if (i < start)
            {
                return true;
            }

            // No window that holds the character at i can be all tokens: the next one starts right after it.
            end = i + length;
        }

        return false;
    }

    // API keys of the common providers and of Switchyard, bearer tokens, and long opaque tokens.
    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-]{8,}|sy_[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|\b[A-Za-z0-9_\-]{40,}\b)")]
    private static partial Regex SecretPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")]
    private static partial Regex EmailPattern();
}
