using System.Text.RegularExpressions;

namespace Switchyard.Providers.Sandbox;

/// <summary>
/// What a prompt tells the sandbox to do: <c>[fail:&lt;class&gt;]</c> or <c>[fail:&lt;class&gt;@&lt;provider&gt;]</c> forces a failure,
/// <c>[empty]</c> (or <c>[empty@&lt;provider&gt;]</c>) forces an empty but successful output.
/// </summary>
/// <param name="Fault">The wire name of the forced fault class, as written (may be unknown).</param>
/// <param name="Empty">Whether the output must be empty.</param>
internal readonly partial record struct SandboxDirective(string? Fault, bool Empty)
{
    /// <summary>The directives of <paramref name="text"/> that apply to <paramref name="providerName"/>; the first forced fault wins.</summary>
    public static SandboxDirective Read(string text, string providerName)
    {
        string? fault = null;
        var empty = false;
        foreach (Match match in Pattern().Matches(text))
        {
            var target = match.Groups["target"];
            if (target.Success && !string.Equals(target.Value, providerName, StringComparison.Ordinal))
            {
                continue;
            }

            if (match.Groups["fault"].Success)
            {
                fault ??= match.Groups["fault"].Value;
            }
            else
            {
                empty = true;
            }
        }

        return new SandboxDirective(fault, empty);
    }

    /// <summary><paramref name="text"/> without its directives, for spoken and quoted text.</summary>
    public static string Strip(string text) => Pattern().Replace(text, string.Empty).Trim();

    [GeneratedRegex(@"\[(?:fail:(?<fault>[A-Za-z_]+)|(?<empty>empty))(?:@(?<target>[A-Za-z0-9_-]+))?\]", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
