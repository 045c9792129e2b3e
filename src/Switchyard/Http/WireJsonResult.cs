using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Switchyard.Http;

/// <summary>
/// Writes a small JSON answer (a chat completion, an error) into the response in one synchronous pass through the
/// source-generated writers of its types. Give it a type info of <see cref="WireJsonContext.Default"/>: its options
/// are the ones the generator compiled in, so the nested types are written by generated code too, while
/// <see cref="WireJsonContext.Wire"/>'s (the relaxed encoder) make the serializer fall back to its metadata-driven
/// converters (a write stack per answer) below the top level. The relaxed encoder is set on the
/// <see cref="Utf8JsonWriter"/> instead, which the generated code writes through, so the bytes are the same as
/// serializing with <see cref="WireJsonContext.Wire"/>.
/// </summary>
internal sealed class WireJsonResult<T> : IResult, IStatusCodeHttpResult
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly T _value;
    private readonly JsonTypeInfo<T> _typeInfo;

    public WireJsonResult(T value, JsonTypeInfo<T> typeInfo, int statusCode = StatusCodes.Status200OK)
    {
        _value = value;
        _typeInfo = typeInfo;
        StatusCode = statusCode;
    }

    /// <inheritdoc />
    public int? StatusCode { get; }

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode ?? StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        using var json = new Utf8JsonWriter(response.BodyWriter, Options);
        if (_typeInfo.SerializeHandler is { } write)
        {
            write(json, _value);
        }
        else
        {
            JsonSerializer.Serialize(json, _value, _typeInfo);
        }

        json.Flush();
        return Task.CompletedTask;
    }
}
