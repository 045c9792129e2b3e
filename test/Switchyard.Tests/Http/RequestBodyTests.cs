using System.Text;
using Switchyard.Http;

namespace Switchyard.Tests.Http;

public sealed class RequestBodyTests
{
    [Theory]
    [InlineData("{\"a\":1}")]
    [InlineData("  {\"a\":[1,2,{\"b\":\"c\"}]}\n\t ")]
    public void Parse_OneObject_Document(string body)
    {
        var (document, problem) = RequestBody.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Null(problem);
        Assert.NotNull(document);
        Assert.Equal(System.Text.Json.JsonValueKind.Object, document.RootElement.ValueKind);
    }

    [Theory]
    [InlineData("{\"a\":1} x")]
    [InlineData("{\"a\":1}{\"b\":2}")]
    [InlineData("{\"a\":1")]
    [InlineData("{\"a\":1,}")]
    [InlineData("{/* no */\"a\":1}")]
    [InlineData("[1,2]")]
    [InlineData("\"text\"")]
    public void Parse_NotOneObject_InvalidJson(string body)
    {
        var (document, problem) = RequestBody.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Null(document);
        Assert.NotNull(problem);
        Assert.Equal(400, problem.Status);
        Assert.Equal("invalid_json", problem.Code);
    }

    [Fact]
    public void Parse_DeeperThan32_InvalidJson()
    {
        var body = string.Concat(Enumerable.Repeat("{\"a\":", 40)) + "1" + new string('}', 40);

        var (_, problem) = RequestBody.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Equal("invalid_json", problem?.Code);
    }

    [Theory]
    [InlineData("{\"prompt\":\"\\ud800\"}", "prompt")]
    [InlineData("{\"a\":{\"b\":\"x\\udc00y\"}}", "a.b")]
    [InlineData("{\"messages\":[{\"role\":\"user\",\"content\":\"\\ud83d\"}]}", "messages[0].content")]
    [InlineData("{\"x\":[\"ok\",\"\\u00e9\",\"\\udfff\"]}", "x[2]")]
    [InlineData("{\"x\":[[\"\\ud800\"]]}", "x[0][0]")]
    [InlineData("{\"\\ud800\":1}", "body")]
    [InlineData("{\"a\":{\"\\ud800\":1}}", "a")]
    public void Parse_LoneSurrogateEscape_NamesWhere(string body, string param)
    {
        var (document, problem) = RequestBody.Parse(Encoding.UTF8.GetBytes(body));

        Assert.Null(document);
        Assert.Equal("invalid_unicode", problem?.Code);
        Assert.Equal(param, problem?.Param);
    }

    [Fact]
    public void Parse_EscapedPairAndEscapedText_Accepted()
    {
        var (document, problem) = RequestBody.Parse(Encoding.UTF8.GetBytes("{\"p\":\"\\ud83d\\ude82 \\u00e9 \\n\",\"\\u0061\":1}"));

        Assert.Null(problem);
        Assert.Equal("🚂 é \n", document!.RootElement.GetProperty("p").GetString());
        Assert.Equal(1, document.RootElement.GetProperty("a").GetInt32());
    }
}
