using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Switchyard.Ledger;
using Switchyard.Routing;

namespace Switchyard.Core.Tests.Ledger;

public sealed class PromptSummaryTests
{
    // The redaction rules as written in PromptSummary: the preview must be exactly what these give, whatever shortcut
    // the implementation takes to skip them.
    private static readonly Regex Secret = new(@"(sk-[A-Za-z0-9_\-]{8,}|sy_[A-Za-z0-9]{8,}_[A-Za-z0-9]{8,}|whsec_[A-Za-z0-9+/=]{8,}|(?i:bearer)\s+[A-Za-z0-9._\-]{8,}|\b[A-Za-z0-9_\-]{40,}\b)");
    private static readonly Regex Email = new(@"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}");

    private static string Reference(string prompt)
    {
        var head = prompt.Length > PromptSummary.PreviewLength * 2 ? prompt[..(PromptSummary.PreviewLength * 2)] : prompt;
        var redacted = Email.Replace(Secret.Replace(head, "[redacted]"), "[email]");
        return redacted.Length > PromptSummary.PreviewLength ? redacted[..PromptSummary.PreviewLength] + "…" : redacted;
    }

    [Theory]
    [InlineData("use sk-abcdefgh12345678 please", "use [redacted] please")]
    [InlineData("key sy_abcdefgh_ijklmnop here", "key [redacted] here")]
    [InlineData("whsec_QUJDREVGR0hJSktMTU5PUA== signs", "[redacted] signs")]
    [InlineData("Authorization: BEARER abc.def-ghi_jkl", "Authorization: [redacted]")]
    [InlineData("token 0123456789abcdef0123456789abcdef01234567 end", "token [redacted] end")]
    [InlineData("mail someone@example.com now", "mail [email] now")]
    [InlineData("a lighthouse at dusk, 35mm", "a lighthouse at dusk, 35mm")]
    [InlineData("sk- short and sy_ alone and bearer", "sk- short and sy_ alone and bearer")]
    public void Preview_RedactsEachSecretShapeAndEmail(string prompt, string expected)
    {
        Assert.Equal(expected, PromptSummary.Preview(prompt));
        Assert.Equal(Reference(prompt), PromptSummary.Preview(prompt));
    }

    [Fact]
    public void Preview_LongPrompt_CutAfterRedactingWithEllipsis()
    {
        var prompt = string.Join(' ', Enumerable.Repeat("word", 30)) + " sk-abcdefghijkl " + string.Join(' ', Enumerable.Repeat("more", 100));

        var preview = PromptSummary.Preview(prompt);

        Assert.Equal(PromptSummary.PreviewLength + 1, preview.Length);
        Assert.EndsWith("…", preview, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-abc", preview, StringComparison.Ordinal);
        Assert.Equal(Reference(prompt), preview);
    }

    [Fact]
    public void Preview_RandomPrompts_SameAsTheRegexesAlone()
    {
        // Pieces that sit on either side of every shortcut: prefixes with and without enough characters after them,
        // token runs of 39, 40 and 41, '@' with and without a domain, non-ASCII text.
        string[] pieces = ["sk-", "SK-", "sy_", "whsec_", "Bearer ", "bearer\t", "abcdefgh", "_", "-", "@", "a@b.io", "x@y",
            new('t', 39), new('u', 40), new('v', 41), " ", "\n", "é", "日本", "0123456789", ".", "=", "/", "+"];
        var random = new Random(20261201);
        for (var i = 0; i < 5000; i++)
        {
            var text = new StringBuilder();
            var count = random.Next(1, 14);
            for (var j = 0; j < count; j++)
            {
                text.Append(pieces[random.Next(pieces.Length)]);
            }

            var prompt = text.ToString();
            Assert.Equal(Reference(prompt), PromptSummary.Preview(prompt));
        }
    }

    [Theory]
    [InlineData("a fox")]
    [InlineData("Hello ‘world’ — ünïcode 🚂")]
    [InlineData("")]
    public void Hash_IsSha256OfUtf8AsLowercaseHex(string prompt)
    {
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt))), PromptSummary.Hash(prompt));
    }

    [Fact]
    public void Hash_LongPrompt_SameAsSha256OfUtf8()
    {
        var prompt = string.Concat(Enumerable.Repeat("a long prompt with ünïcode 🚂 ", 200));

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(prompt))), PromptSummary.Hash(prompt));
    }

    [Fact]
    public void Clean_PlainPrompt_ReturnedAsItIs()
    {
        var prompt = "def main():\n\treturn 1  # spacing kept";

        Assert.Same(prompt, PromptGuard.Clean(prompt));
    }

    [Theory]
    [InlineData(" padded ", "padded")]
    [InlineData("zero\u200bwidth", "zerowidth")]
    [InlineData("bell\u0007", "bell")]
    [InlineData("caf\u00e9 ok", "caf\u00e9 ok")]
    public void Clean_TextToChange_Changed(string prompt, string expected)
    {
        Assert.Equal(expected, PromptGuard.Clean(prompt));
    }
}
