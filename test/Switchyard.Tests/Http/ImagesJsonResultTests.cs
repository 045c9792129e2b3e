using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchyard.Generation;
using Switchyard.Http;

namespace Switchyard.Tests.Http;

/// <summary>The segmented b64_json writer gives the same JSON as serializing the whole response at once.</summary>
public sealed class ImagesJsonResultTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2_400)]
    [InlineData(2_401)]
    [InlineData(300_001)]
    public async Task Execute_AnyImageSize_SameJsonAsTheSerializer(int bytes)
    {
        var random = new Random(bytes);
        var first = new byte[bytes];
        var second = new byte[bytes / 2 + 7];
        random.NextBytes(first);
        random.NextBytes(second);
        var images = new[]
        {
            new GeneratedImage(first, "image/png", 64, 64, "A revised: a fox & a \"hound\" <3 +"),
            new GeneratedImage(second, "image/png", 64, 64),
        };
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;

        await new ImagesJsonResult(1_713_833_628, images, "1024x1024", "png").ExecuteAsync(http);

        var expected = JsonSerializer.Serialize(
            new ImagesResponse(1_713_833_628, [.. images.Select(i => new ImageData(i.Data, null, i.RevisedPrompt))], "1024x1024", "png"),
            WireJsonContext.Wire.ImagesResponse);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(200, http.Response.StatusCode);
        Assert.StartsWith("application/json", http.Response.ContentType, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(body.ToArray());
        Assert.Equal(first, parsed.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetBytesFromBase64());
    }
}
