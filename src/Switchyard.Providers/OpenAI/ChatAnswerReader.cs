using System.Buffers.Text;
using System.Text.Json;

namespace Switchyard.Providers.OpenAI;

/// <summary>What a (non-streamed) chat completion answer says, as far as the gateway uses it.</summary>
/// <param name="HasChoices">Whether <c>choices</c> held at least one choice.</param>
/// <param name="Content">The first choice's <c>message.content</c>, when a string.</param>
/// <param name="HasRefusal">Whether that message carries a non-empty <c>refusal</c>.</param>
/// <param name="FinishReason">The first choice's <c>finish_reason</c>.</param>
/// <param name="PromptTokens"><c>usage.prompt_tokens</c>, when given.</param>
/// <param name="CompletionTokens"><c>usage.completion_tokens</c>, when given.</param>
internal readonly record struct ChatAnswer(bool HasChoices, string? Content, bool HasRefusal, string? FinishReason, int? PromptTokens, int? CompletionTokens);

/// <summary>
/// Reads a chat completion answer with <see cref="Utf8JsonReader"/>, taking only what the gateway uses (the first
/// choice's text, refusal and finish reason, the token counts) and skipping the rest unread. The chat answer is read
/// on every request: deserializing the whole document built five objects, a read stack and a string per field
/// (id, model, role, fingerprint) only to drop them. Malformed JSON or a field of the wrong type throws
/// <see cref="JsonException"/> naming the field.
/// </summary>
internal static class ChatAnswerReader
{
    public static ChatAnswer Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        Expect(ref reader, JsonTokenType.StartObject, "the answer");
        var answer = ReadObject(ref reader, default, "the answer", static (ref Utf8JsonReader reader, ref ChatAnswer answer) =>
        {
            if (reader.ValueTextEquals("choices"u8))
            {
                answer = ReadChoices(ref reader, answer);
                return true;
            }

            if (reader.ValueTextEquals("usage"u8))
            {
                answer = ReadUsage(ref reader, answer);
                return true;
            }

            return false;
        });

        // Anything but whitespace after the object makes the reader throw, as the serializer did.
        reader.Read();
        return answer;
    }

    private static ChatAnswer ReadChoices(ref Utf8JsonReader reader, ChatAnswer answer)
    {
        if (Next(ref reader) == JsonTokenType.Null)
        {
            return answer;
        }

        Require(ref reader, JsonTokenType.StartArray, "choices");
        if (Next(ref reader) == JsonTokenType.EndArray)
        {
            return answer;
        }

        answer = ReadObject(ref reader, answer with { HasChoices = true }, "choices[0]", static (ref Utf8JsonReader reader, ref ChatAnswer answer) =>
        {
            if (reader.ValueTextEquals("message"u8))
            {
                Next(ref reader);
                answer = ReadObject(ref reader, answer, "choices[0].message", ReadMessageMember);
                return true;
            }

            if (reader.ValueTextEquals("finish_reason"u8))
            {
                answer = answer with { FinishReason = FinishReason(ref reader) };
                return true;
            }

            return false;
        });

        // n=1: later choices are not used.
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            reader.Skip();
        }

        return answer;
    }

    private static bool ReadMessageMember(ref Utf8JsonReader reader, ref ChatAnswer answer)
    {
        if (reader.ValueTextEquals("content"u8))
        {
            answer = answer with { Content = NullableString(ref reader, "choices[0].message.content") };
            return true;
        }

        if (!reader.ValueTextEquals("refusal"u8))
        {
            return false;
        }

        Next(ref reader);
        if (reader.TokenType == JsonTokenType.String)
        {
            answer = answer with { HasRefusal = reader.ValueSpan.Length > 0 };
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            throw Wrong("choices[0].message.refusal", "a string");
        }

        return true;
    }

    private static ChatAnswer ReadUsage(ref Utf8JsonReader reader, ChatAnswer answer)
    {
        Next(ref reader);
        return ReadObject(ref reader, answer, "usage", static (ref Utf8JsonReader reader, ref ChatAnswer answer) =>
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                answer = answer with { PromptTokens = Tokens(ref reader, "usage.prompt_tokens") };
                return true;
            }

            if (reader.ValueTextEquals("completion_tokens"u8))
            {
                answer = answer with { CompletionTokens = Tokens(ref reader, "usage.completion_tokens") };
                return true;
            }

            return false;
        });
    }

    /// <summary>Reads the member whose name the reader is on, if it is one this reader takes; false leaves it to be skipped.</summary>
    private delegate bool MemberReader(ref Utf8JsonReader reader, ref ChatAnswer answer);

    // The object (or null) the reader is on, member by member: the ones `member` takes, the others skipped.
    private static ChatAnswer ReadObject(ref Utf8JsonReader reader, ChatAnswer answer, string what, MemberReader member)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return answer;
        }

        Require(ref reader, JsonTokenType.StartObject, what);
        while (Next(ref reader) == JsonTokenType.PropertyName)
        {
            if (!member(ref reader, ref answer))
            {
                Skip(ref reader);
            }
        }

        return answer;
    }

    // The usual values without a string each; any other is read as given.
    private static string? FinishReason(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw Wrong("choices[0].finish_reason", "a string");
        }

        return reader.ValueTextEquals("stop"u8) ? "stop"
            : reader.ValueTextEquals("length"u8) ? "length"
            : reader.ValueTextEquals("content_filter"u8) ? "content_filter"
            : reader.ValueTextEquals("tool_calls"u8) ? "tool_calls"
            : reader.GetString();
    }

    // A count as a number or, as some compatible servers send it, a numeric string.
    private static int? Tokens(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number when reader.TryGetInt32(out var number):
                return number;
            case JsonTokenType.String when !reader.HasValueSequence && !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out int parsed, out var consumed) && consumed == reader.ValueSpan.Length:
                return parsed;
            default:
                throw Wrong(field, "a whole number");
        }
    }

    private static string? NullableString(ref Utf8JsonReader reader, string field)
    {
        Next(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.String => reader.GetString(),
            _ => throw Wrong(field, "a string"),
        };
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("the answer ends before its JSON does");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        Next(ref reader);
        Require(ref reader, type, what);
    }

    private static void Require(ref Utf8JsonReader reader, JsonTokenType type, string what)
    {
        if (reader.TokenType != type)
        {
            throw Wrong(what, type == JsonTokenType.StartArray ? "an array" : "an object");
        }
    }

    // Skips the value of the property just read.
    private static void Skip(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        reader.Skip();
    }

    private static JsonException Wrong(string field, string expected) => new($"'{field}' is not {expected}");
}
