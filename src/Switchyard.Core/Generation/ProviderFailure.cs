namespace Switchyard.Generation;

/// <summary>What a provider call met when it did not produce usable output. Expected failures are values, not exceptions.</summary>
public sealed record ProviderFailure
{
    /// <summary>The contract's error class.</summary>
    public required ErrorClass Class { get; init; }

    /// <summary>A short human-readable cause, already free of secrets.</summary>
    public required string Message { get; init; }

    /// <summary>The upstream HTTP status, when there was one.</summary>
    public int? HttpStatus { get; init; }

    /// <summary>The provider's own error code (e.g. <c>content_policy_violation</c>) or ours (e.g. <c>empty_output</c>).</summary>
    public string? Code { get; init; }

    /// <summary>The upstream's Retry-After, when given.</summary>
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>The step the attempt reached: validate, send, receive, download, store.</summary>
    public string? Step { get; init; }

    /// <summary>Whether another try on the same provider could help.</summary>
    public bool IsTransient => Class is ErrorClass.RateLimited or ErrorClass.Unavailable or ErrorClass.Timeout;

    /// <summary>Creates a failure.</summary>
    public static ProviderFailure Of(ErrorClass errorClass, string message, int? httpStatus = null, string? code = null) =>
        new() { Class = errorClass, Message = message, HttpStatus = httpStatus, Code = code };
}
