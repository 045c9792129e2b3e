using System.Text.Json;
using System.Text.Json.Serialization;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// A base64 field (<c>b64_json</c>) decoded straight from the UTF-8 JSON, without the UTF-16 string a
/// <see cref="string"/> property would allocate (twice the size of the base64 text, a large-object-heap allocation
/// for any real image). <see cref="Bytes"/> is null when the text is not valid base64, so the caller can say so.
/// </summary>
[JsonConverter(typeof(Base64PayloadConverter))]
internal sealed record Base64Payload(byte[]? Bytes);

/// <summary>Reads a JSON string as <see cref="Base64Payload"/>; writes the bytes back as base64.</summary>
internal sealed class Base64PayloadConverter : JsonConverter<Base64Payload>
{
    public override Base64Payload Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"expected a base64 string, got {reader.TokenType}");
        }

        if (reader.TryGetBytesFromBase64(out var bytes))
        {
            return new Base64Payload(bytes);
        }

        // The strict reader refuses what Convert accepts (line breaks and spaces inside the text): decode it as before.
        return new Base64Payload(Decode(reader.GetString()!));
    }

    public override void Write(Utf8JsonWriter writer, Base64Payload value, JsonSerializerOptions options)
    {
        if (value.Bytes is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteBase64StringValue(value.Bytes);
    }

    /// <summary>The bytes of <paramref name="base64"/>, or null when it is not valid base64.</summary>
    public static byte[]? Decode(string base64)
    {
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
