using System.Globalization;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Stability;

/// <summary>Maps Stability's error answers (<c>{"id","name","errors"}</c> with a status) to the contract's error classes.</summary>
internal static class StabilityErrors
{
    /// <summary>The <c>name</c> of a 403 from the moderation system.</summary>
    public const string ContentModeration = "content_moderation";

    /// <summary>The error body, or null when the body is not one.</summary>
    public static StabilityError? Read(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, StabilityJsonContext.Default.StabilityError);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The failure an answer with <paramref name="status"/> and <paramref name="body"/> stands for.</summary>
    public static ProviderFailure Map(string provider, string model, int status, string body, TimeSpan? retryAfter)
    {
        var error = Read(body);
        var name = error?.Name;
        var detail = error?.Errors is { Count: > 0 } errors
            ? string.Join("; ", errors.Take(3).Select(UpstreamHttp.Shorten))
            : UpstreamHttp.Shorten(error?.Message ?? (error is null ? body : null));
        var said = $"{provider}: Stability answered {status}{(name is null ? "" : $" {name}")} for {model}: {detail}";
        var code = name ?? $"http_{status.ToString(CultureInfo.InvariantCulture)}";
        var moderated = string.Equals(name, ContentModeration, StringComparison.Ordinal)
            || detail.Contains("moderation", StringComparison.OrdinalIgnoreCase);

        ProviderFailure Failure(ErrorClass errorClass, string message, string failureCode, TimeSpan? wait = null) => new()
        {
            Class = errorClass,
            Message = message,
            HttpStatus = status,
            Code = failureCode,
            RetryAfter = wait,
            Step = "receive",
        };

        return status switch
        {
            403 or 400 or 422 when moderated => Failure(ErrorClass.ContentRejected, said, ContentModeration),
            401 or 403 => Failure(ErrorClass.Auth, $"{said} (check the API key)", code),
            402 => Failure(ErrorClass.Misconfigured, $"{said} (the account is out of credits: add credits at platform.stability.ai)", "insufficient_credits"),
            404 => Failure(ErrorClass.Misconfigured, $"{said} (the endpoint or model does not exist)", "model_not_found"),
            408 or 504 => Failure(ErrorClass.Timeout, said, code),
            429 => Failure(ErrorClass.RateLimited, said, code, retryAfter),
            >= 500 => Failure(ErrorClass.Unavailable, said, code, retryAfter),
            _ => Failure(ErrorClass.InvalidRequest, said, code),
        };
    }
}
