using System.Globalization;

namespace Switchyard.Storage.Sqlite;

/// <summary>How times are stored: UTC ISO-8601 text with seven fraction digits, so text order is time order and no tick is lost.</summary>
internal static class SqliteTime
{
    /// <summary>The stored form.</summary>
    internal const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";

    // The round-trip format of a UTC DateTime writes exactly the stored form, on the runtime's fast path (the
    // custom pattern above formats its fraction through the general number formatter). Tests pin the equality.
    private const string RoundTrip = "O";

    /// <summary>The stored text of <paramref name="value"/>.</summary>
    public static string ToText(DateTimeOffset value) =>
        value.UtcDateTime.ToString(RoundTrip, CultureInfo.InvariantCulture);

    /// <summary>Writes the stored text of <paramref name="value"/> as UTF-8; false when it does not fit.</summary>
    public static bool TryFormat(DateTimeOffset value, Span<byte> destination, out int written) =>
        value.UtcDateTime.TryFormat(destination, out written, RoundTrip, CultureInfo.InvariantCulture);

    /// <summary>Reads stored text back as a UTC time.</summary>
    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
