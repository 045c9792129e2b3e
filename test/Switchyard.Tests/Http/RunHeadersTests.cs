using Switchyard.Http;

namespace Switchyard.Tests.Http;

/// <summary>Header values built from text the caller chose (a refused request's model) stay valid for Kestrel.</summary>
public sealed class RunHeadersTests
{
    [Theory]
    [InlineData("image", "image")]
    [InlineData("openai/gpt-image-1", "openai/gpt-image-1")]
    [InlineData("50% off", "50% off")]
    [InlineData("speec\uFFFFh", "speec%EF%BF%BFh")]
    [InlineData("caf\u00e9 100%", "caf%C3%A9 100%25")]
    [InlineData("line\r\nbreak", "line%0D%0Abreak")]
    public void Safe_KeepsPrintableAsciiAndPercentEncodesTheRest(string text, string expected)
    {
        Assert.Equal(expected, RunHeaders.Safe(text));
        Assert.All(RunHeaders.Safe(text), c => Assert.InRange(c, ' ', '~'));
    }
}
