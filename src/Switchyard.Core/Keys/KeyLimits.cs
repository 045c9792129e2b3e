namespace Switchyard.Keys;

/// <summary>
/// What one API key may do: requests per minute, requests at once, runs per UTC day and the routes it
/// may call. A null member means no limit of that kind.
/// </summary>
public sealed record KeyLimits
{
    /// <summary>No limit at all (the default of a new key).</summary>
    public static KeyLimits None { get; } = new();

    /// <summary>Generation requests per minute (sliding window).</summary>
    public int? RequestsPerMinute { get; init; }

    /// <summary>Generation requests in flight at once.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Runs per UTC day.</summary>
    public int? DailyQuota { get; init; }

    /// <summary>The routes and presets (and <c>provider/model</c> names) the key may call; null for all.</summary>
    public IReadOnlyList<string>? Routes { get; init; }

    /// <summary>Whether any limit is set.</summary>
    public bool IsUnlimited => RequestsPerMinute is null && Concurrency is null && DailyQuota is null && Routes is null;

    /// <summary>Whether <paramref name="name"/> (a route, preset or <c>provider/model</c>) is allowed.</summary>
    public bool AllowsModel(string name) => Routes is null || Routes.Contains(name, StringComparer.Ordinal);

    /// <summary>The route list as stored: comma-separated, or null for all.</summary>
    public string? RoutesText => Routes is null ? null : string.Join(',', Routes);

    /// <summary>Reads the stored comma-separated route list.</summary>
    public static IReadOnlyList<string>? ParseRoutes(string? text) =>
        text is null ? null : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <inheritdoc />
    public bool Equals(KeyLimits? other) =>
        other is not null && RequestsPerMinute == other.RequestsPerMinute && Concurrency == other.Concurrency && DailyQuota == other.DailyQuota
        && RoutesText == other.RoutesText;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RequestsPerMinute, Concurrency, DailyQuota, RoutesText);
}
