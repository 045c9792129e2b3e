using System.Text.Json;
using Switchyard.Bundle;

namespace Switchyard.Tests.Cli;

/// <summary>The support bundle's last line of defence: known values and credential shapes are masked, JSON stays JSON.</summary>
public sealed class SecretScrubberTests
{
    [Fact]
    public void Scrub_KnownValue_MaskedInRawJsonEscapedAndUrlEncodedForms()
    {
        var scrubber = new SecretScrubber();
        scrubber.Add("p@ss+word/\"quoted\"");

        var text = scrubber.Scrub($"raw p@ss+word/\"quoted\" json {JsonSerializer.Serialize("p@ss+word/\"quoted\"")} url {Uri.EscapeDataString("p@ss+word/\"quoted\"")}");

        Assert.DoesNotContain("p@ss", text, StringComparison.Ordinal);
        Assert.DoesNotContain("p%40ss", text, StringComparison.Ordinal);
        Assert.Equal(3, text.Split(SecretScrubber.Mask).Length - 1);
    }

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    [InlineData("null")]
    [InlineData("4096")]
    [InlineData("0.75")]
    [InlineData("abc")]
    public void Add_JsonLiteralOrShortValue_Ignored_SoTheJsonStaysValid(string value)
    {
        var scrubber = new SecretScrubber();
        scrubber.Add(value);
        const string Json = """{"valid": true, "empty": null, "off": false, "limit": 4096, "ratio": 0.75, "name": "abc"}""";

        var scrubbed = scrubber.Scrub(Json);

        Assert.Equal(Json, scrubbed);
        Assert.Equal(0, scrubber.Count);
    }

    [Fact]
    public void Add_BelowTheCallersMinimum_Ignored()
    {
        var scrubber = new SecretScrubber();
        scrubber.Add("short1", minimumLength: 8);
        scrubber.Add("long-enough-1");

        Assert.Equal("short1 " + SecretScrubber.Mask, scrubber.Scrub("short1 long-enough-1"));
    }

    [Theory]
    [InlineData("postgres://app:hunter22@db:5432/x", "postgres://app:[redacted]@db:5432/x")]
    [InlineData("redis://:hunter22@cache:6379", "redis://:[redacted]@cache:6379")]
    [InlineData("postgres://app:${PG_PASSWORD}@db/x", "postgres://app:${PG_PASSWORD}@db/x")]
    [InlineData("key sk-abcdefghijklmnop end", "key [redacted] end")]
    [InlineData("Authorization: Bearer abc.def-ghi_jkl", "Authorization: [redacted]")]
    [InlineData("whsec_QUJDREVGR0hJSktMTU5PUA== rest", "[redacted] rest")]
    public void Scrub_CredentialShapes_Masked(string text, string expected)
    {
        Assert.Equal(expected, new SecretScrubber().Scrub(text));
    }
}
