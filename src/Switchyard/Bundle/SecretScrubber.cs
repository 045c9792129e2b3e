using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchyard.Bundle;

/// <summary>
/// The last line of defence of the support bundle: every text written into it passes through <see cref="Scrub"/>, which
/// masks each known secret value (in its raw, JSON-escaped and URL-encoded forms) and anything shaped like a credential
/// (provider and Switchyard keys, webhook secrets, bearer tokens, passwords in URLs), wherever it appears.
/// </summary>
internal sealed partial class SecretScrubber
{
    /// <summary>What a masked secret reads as.</summary>
    public const string Mask = "[redacted]";

    // Shorter values would mask ordinary words ("on", "true") all over the bundle and hide nothing worth hiding.
    private const int MinimumLength = 4;

    private readonly HashSet<string> _secrets = new(StringComparer.Ordinal);
    private string[]? _ordered;

    /// <summary>How many distinct secret values are known.</summary>
    public int Count => _secrets.Count;

    /// <summary>Whether the name of an environment variable or a config key says its value is a credential.</summary>
    public static bool LooksSecret(string name) => SecretNamePattern().IsMatch(name);

    /// <summary>
    /// Adds a value to mask everywhere. Values shorter than <paramref name="minimumLength"/> (at least four) are ignored,
    /// and so are JSON literals (<c>true</c>, <c>null</c>, numbers): masking those would break the files' JSON.
    /// </summary>
    public void Add(string? value, int minimumLength = MinimumLength)
    {
        if (value is null || value.Trim().Length < Math.Max(minimumLength, MinimumLength) || IsJsonLiteral(value.Trim()))
        {
            return;
        }

        _ordered = null;
        _secrets.Add(value);
        _secrets.Add(JsonEncodedText.Encode(value).Value);
        _secrets.Add(JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value);
        _secrets.Add(Uri.EscapeDataString(value));
    }

    /// <summary>Adds the password of a URL such as <c>postgres://user:pass@host/db</c> or <c>redis://:pass@host</c>.</summary>
    public void AddUrlPassword(string? url)
    {
        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
        {
            var password = uri.UserInfo[(colon + 1)..];
            Add(password);
            Add(Uri.UnescapeDataString(password));
        }
    }

    private static bool IsJsonLiteral(string value) =>
        value is "true" or "false" or "null" || double.TryParse(value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);

    /// <summary>The text with every known secret and every credential-shaped string masked.</summary>
    public string Scrub(string text)
    {
        // Longest first, so a secret that contains another is masked whole.
        _ordered ??= [.. _secrets.OrderByDescending(static s => s.Length).ThenBy(static s => s, StringComparer.Ordinal)];
        foreach (var secret in _ordered)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        return MaskUrlPasswords(CredentialPattern().Replace(text, Mask));
    }

    /// <summary>The text with the password of every <c>scheme://user:password@</c> masked (a <c>${NAME}</c> reference is kept).</summary>
    public static string MaskUrlPasswords(string text) => UrlPasswordPattern().Replace(text, "${user}:" + Mask + "@");

    [GeneratedRegex(@"(?i)(key|secret|token|passw|credential|private)")]
    private static partial Regex SecretNamePattern();

    // The shapes PromptSummary masks in prompts, less the bare long-token rule (it would eat hashes and ids).
    [GeneratedRegex(@"(sk-[A-Za-z0-9_\-]{8,}|sy_[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-~+/=]{8,})")]
    private static partial Regex CredentialPattern();

    // scheme://user:password@host: the user stays (it helps), the password goes. ${NAME} references are not passwords.
    [GeneratedRegex(@"(?<user>[A-Za-z][A-Za-z0-9+.\-]*://[^:/@\s""']*):(?!\$\{)(?!\[redacted\]@)[^@/\s""']+@")]
    private static partial Regex UrlPasswordPattern();
}
