namespace Switchyard.Generation;

/// <summary>The contract's snake_case names for the generation enums.</summary>
public static class WireNames
{
    /// <summary>The wire name of an error class, e.g. <c>rate_limited</c>.</summary>
    public static string ToWire(this ErrorClass value) => value switch
    {
        ErrorClass.Auth => "auth",
        ErrorClass.RateLimited => "rate_limited",
        ErrorClass.ContentRejected => "content_rejected",
        ErrorClass.InvalidRequest => "invalid_request",
        ErrorClass.Timeout => "timeout",
        ErrorClass.Unavailable => "unavailable",
        ErrorClass.Misconfigured => "misconfigured",
        ErrorClass.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of a skip reason, e.g. <c>circuit_open</c>.</summary>
    public static string ToWire(this SkipReason value) => value switch
    {
        SkipReason.CircuitOpen => "circuit_open",
        SkipReason.Misconfigured => "misconfigured",
        SkipReason.NotCapable => "not_capable",
        SkipReason.LocalRateLimit => "local_rate_limit",
        SkipReason.BudgetExceeded => "budget_exceeded",
        SkipReason.CacheHit => "cache_hit",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of an attempt status.</summary>
    public static string ToWire(this AttemptStatus value) => value switch
    {
        AttemptStatus.Started => "started",
        AttemptStatus.Success => "success",
        AttemptStatus.Failed => "failed",
        AttemptStatus.Skipped => "skipped",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of a run outcome.</summary>
    public static string ToWire(this RunOutcome value) => value switch
    {
        RunOutcome.Success => "success",
        RunOutcome.Degraded => "degraded",
        RunOutcome.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>The wire name of a modality.</summary>
    public static string ToWire(this Modality value) => value switch
    {
        Modality.Image => "image",
        Modality.Text => "text",
        Modality.Speech => "speech",
        _ => throw new ArgumentOutOfRangeException(nameof(value), value, null),
    };

    /// <summary>Parses a wire name of an error class.</summary>
    public static bool TryParseErrorClass(string? text, out ErrorClass value)
    {
        foreach (var candidate in Enum.GetValues<ErrorClass>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Parses a wire name of a skip reason.</summary>
    public static bool TryParseSkipReason(string? text, out SkipReason value) => TryParse(text, static v => v.ToWire(), out value);

    /// <summary>Parses a wire name of an attempt status.</summary>
    public static bool TryParseAttemptStatus(string? text, out AttemptStatus value) => TryParse(text, static v => v.ToWire(), out value);

    /// <summary>Parses a wire name of a run outcome.</summary>
    public static bool TryParseOutcome(string? text, out RunOutcome value) => TryParse(text, static v => v.ToWire(), out value);

    /// <summary>Reads a stored run outcome; throws <see cref="InvalidDataException"/> for a name that is not one.</summary>
    public static RunOutcome ParseStoredOutcome(string text) => TryParseOutcome(text, out var value) ? value : throw NotAWireName<RunOutcome>(text);

    /// <summary>Reads a stored attempt status; throws <see cref="InvalidDataException"/> for a name that is not one.</summary>
    public static AttemptStatus ParseStoredStatus(string text) => TryParseAttemptStatus(text, out var value) ? value : throw NotAWireName<AttemptStatus>(text);

    /// <summary>Reads a stored skip reason; throws <see cref="InvalidDataException"/> for a name that is not one.</summary>
    public static SkipReason ParseStoredSkipReason(string text) => TryParseSkipReason(text, out var value) ? value : throw NotAWireName<SkipReason>(text);

    /// <summary>Reads a stored error class; throws <see cref="InvalidDataException"/> for a name that is not one.</summary>
    public static ErrorClass ParseStoredErrorClass(string text) => TryParseErrorClass(text, out var value) ? value : throw NotAWireName<ErrorClass>(text);

    /// <summary>Reads a stored modality; throws <see cref="InvalidDataException"/> for a name that is not one.</summary>
    public static Modality ParseStoredModality(string text) => TryParseModality(text, out var value) ? value : throw NotAWireName<Modality>(text);

    private static InvalidDataException NotAWireName<T>(string text) => new($"The database holds '{text}', which is not a {typeof(T).Name} wire name.");

    private static bool TryParse<T>(string? text, Func<T, string> wire, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(wire(candidate), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }

    /// <summary>Parses a wire name of a modality.</summary>
    public static bool TryParseModality(string? text, out Modality value)
    {
        foreach (var candidate in Enum.GetValues<Modality>())
        {
            if (string.Equals(candidate.ToWire(), text, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
