using Switchyard.Ui;

namespace Switchyard.Tests.Ui;

/// <summary>The dashboard's HTML builder encodes every value and passes only its own markup through.</summary>
public sealed class HtmlTests
{
    [Fact]
    public void Of_EncodesEveryHoleAndKeepsTheLiterals()
    {
        var prompt = "<script>alert(\"x\")</script> & 'quotes'";
        var number = 1234.5;

        var markup = Html.Of($"""<p title="{prompt}">{prompt} {number}</p>""");

        Assert.Equal(
            "<p title=\"&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27;\">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;quotes&#x27; 1234.5</p>",
            markup.Value);
    }

    [Fact]
    public void Of_PassesHtmlRawThroughUnencoded()
    {
        var inner = Html.Of($"<b>{"<i>"}</b>");

        var outer = Html.Of($"<div>{inner}</div>");

        Assert.Equal("<div><b>&lt;i&gt;</b></div>", outer.Value);
    }

    [Fact]
    public void Of_NullValue_WritesNothing()
    {
        string? missing = null;

        Assert.Equal("<td></td>", Html.Of($"<td>{missing}</td>").Value);
    }
}
