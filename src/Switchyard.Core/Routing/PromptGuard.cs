using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;
using Switchyard.Configuration;

namespace Switchyard.Routing;

/// <summary>
/// A route's prompt rules, applied before any provider is called: cleaning (control characters
/// removed, whitespace runs collapsed), a length limit and deny patterns. A rejected prompt is
/// the caller's to fix, so it answers as <c>invalid_request</c> naming the rule that fired.
/// </summary>
public sealed class PromptGuard
{
    private readonly Dictionary<string, Regex[]> _deny = new(StringComparer.Ordinal);

    /// <summary>Compiles the deny patterns of every route.</summary>
    public PromptGuard(SwitchyardConfig config)
    {
        foreach (var route in config.Routes.Values)
        {
            _deny[route.Name] = [.. route.Prompt.Deny.Select(p => new Regex(p, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100)))];
        }
    }

    /// <summary>The cleaned prompt, or the rule it breaks.</summary>
    public PromptVerdict Check(RouteConfig route, string prompt)
    {
        var cleaned = route.Prompt.Clean ? Clean(prompt) : prompt;
        if (route.Prompt.MaxLength is { } max && cleaned.Length > max)
        {
            return PromptVerdict.Reject("max_length", $"the prompt is {cleaned.Length} characters; route '{route.Name}' accepts at most {max} (routes.{route.Name}.prompt.max_length)");
        }

        var patterns = _deny.TryGetValue(route.Name, out var found) ? found : [];
        for (var i = 0; i < patterns.Length; i++)
        {
            try
            {
                if (patterns[i].IsMatch(cleaned))
                {
                    return PromptVerdict.Reject($"deny[{i}]", $"the prompt matches a pattern route '{route.Name}' refuses (routes.{route.Name}.prompt.deny[{i}])");
                }
            }
            catch (RegexMatchTimeoutException)
            {
                return PromptVerdict.Reject($"deny[{i}]", $"the prompt could not be checked against routes.{route.Name}.prompt.deny[{i}] in time");
            }
        }

        return new PromptVerdict(cleaned, null, null);
    }

    /// <summary>
    /// Removes control and invisible format characters (zero-width spaces, bidi overrides: the
    /// usual ways to smuggle text past a reader), keeping newlines and tabs, and trims the ends.
    /// Spacing inside is kept, so code and poems survive.
    /// </summary>
    public static string Clean(string prompt)
    {
        if (IsClean(prompt))
        {
            return prompt;
        }

        var text = new StringBuilder(prompt.Length);
        foreach (var c in prompt.Normalize(NormalizationForm.FormC))
        {
            if (c is '\n' or '\t' || (!char.IsControl(c) && char.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.Format))
            {
                text.Append(c);
            }
        }

        return text.ToString().Trim();
    }

    // Printable ASCII, newlines and tabs: text made only of these is already normalized and has nothing to remove.
    private static readonly SearchValues<char> PlainText = SearchValues.Create("\t\n !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    // Whether Clean would return the prompt unchanged (the common case, answered without copying it).
    private static bool IsClean(string prompt)
    {
        if (prompt.Length > 0 && (char.IsWhiteSpace(prompt[0]) || char.IsWhiteSpace(prompt[^1])))
        {
            return false;
        }

        if (!prompt.AsSpan().ContainsAnyExcept(PlainText))
        {
            return true;
        }

        foreach (var c in prompt)
        {
            if (c is not ('\n' or '\t') && (char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format))
            {
                return false;
            }
        }

        return prompt.IsNormalized(NormalizationForm.FormC);
    }
}

/// <summary>The outcome of a prompt check.</summary>
/// <param name="Prompt">The cleaned prompt.</param>
/// <param name="Rule">The rule that rejected it, or null.</param>
/// <param name="Message">Why, naming the rule's place in the config.</param>
public sealed record PromptVerdict(string Prompt, string? Rule, string? Message)
{
    /// <summary>Whether the prompt may go on.</summary>
    public bool Accepted => Rule is null;

    /// <summary>A rejection.</summary>
    public static PromptVerdict Reject(string rule, string message) => new("", rule, message);
}
