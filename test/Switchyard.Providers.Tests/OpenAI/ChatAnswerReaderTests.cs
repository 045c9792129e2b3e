using System.Text;
using System.Text.Json;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Tests.OpenAI;

/// <summary>The chat answer reader against the shapes OpenAI and compatible servers send.</summary>
public sealed class ChatAnswerReaderTests
{
    private static ChatAnswer Read(string json) => ChatAnswerReader.Read(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Read_OpenAIAnswer_TakesTextFinishAndTokens_SkipsTheRest()
    {
        var answer = Read("""
            {
              "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
              "object": "chat.completion",
              "created": 1741569952,
              "model": "gpt-4.1-2025-04-14",
              "choices": [
                {
                  "index": 0,
                  "message": { "role": "assistant", "content": "Hello!\nCaf\u00e9 \"two\"", "refusal": null, "annotations": [] },
                  "logprobs": null,
                  "finish_reason": "length"
                }
              ],
              "usage": {
                "prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
                "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
                "completion_tokens_details": { "reasoning_tokens": 0, "accepted_prediction_tokens": 0 }
              },
              "service_tier": "default",
              "system_fingerprint": null
            }
            """);

        Assert.Equal(new ChatAnswer(true, "Hello!\nCafé \"two\"", false, "length", 19, 10), answer);
    }

    [Fact]
    public void Read_Refusal_NoContent_SaysSo()
    {
        var answer = Read("""{"choices":[{"message":{"role":"assistant","content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}]}""");

        Assert.True(answer.HasChoices);
        Assert.Null(answer.Content);
        Assert.True(answer.HasRefusal);
        Assert.Null(answer.PromptTokens);
    }

    [Theory]
    [InlineData("""{"choices":[]}""")]
    [InlineData("""{"choices":null,"usage":null}""")]
    [InlineData("""{"id":"x"}""")]
    public void Read_NoChoices_IsEmpty(string json) => Assert.Equal(default, Read(json));

    [Fact]
    public void Read_SeveralChoices_TakesTheFirst_TokensGivenAsText()
    {
        var answer = Read("""{"usage":{"prompt_tokens":"7","completion_tokens":3},"choices":[{"message":{"content":"first"},"finish_reason":"stop"},{"message":{"content":"second"},"finish_reason":"length"}]}""");

        Assert.Equal(new ChatAnswer(true, "first", false, "stop", 7, 3), answer);
    }

    [Theory]
    [InlineData("""{"choices":[{"message":{"content":42}}]}""", "choices[0].message.content")]
    [InlineData("""{"choices":{"message":{}}}""", "choices")]
    [InlineData("""{"choices":[{"finish_reason":1}]}""", "choices[0].finish_reason")]
    [InlineData("""{"usage":{"prompt_tokens":"many"}}""", "usage.prompt_tokens")]
    [InlineData("""[]""", "the answer")]
    public void Read_WrongType_ThrowsNamingTheField(string json, string field)
    {
        var exception = Assert.Throws<JsonException>(() => Read(json));

        Assert.Contains($"'{field}'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"choices":[{"message":{"content":"cut""")]
    [InlineData("""{"choices":[]} trailing""")]
    [InlineData("""{not json""")]
    [InlineData("")]
    public void Read_MalformedJson_Throws(string json) => Assert.ThrowsAny<JsonException>(() => Read(json));
}
