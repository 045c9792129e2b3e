using System.Text.Json.Serialization;

namespace Switchyard.Providers.Stability;

/// <summary>The error body of every Stability endpoint: <c>{"id", "name", "errors": ["…"]}</c>.</summary>
internal sealed record StabilityError
{
    public string? Id { get; init; }

    public string? Name { get; init; }

    public IReadOnlyList<string>? Errors { get; init; }

    public string? Message { get; init; }
}

/// <summary>The JSON reply (<c>Accept: application/json</c>): the image as base64, why it finished, the seed.</summary>
internal sealed record StabilityImageReply
{
    public string? Image { get; init; }

    public string? FinishReason { get; init; }

    public long? Seed { get; init; }
}

/// <summary>Source-generated JSON for the Stability shapes.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.AllowReadingFromString)]
[JsonSerializable(typeof(StabilityError))]
[JsonSerializable(typeof(StabilityImageReply))]
internal sealed partial class StabilityJsonContext : JsonSerializerContext;
