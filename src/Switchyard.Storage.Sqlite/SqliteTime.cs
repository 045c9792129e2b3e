using System.Globalization;

namespace Switchyard.Storage.Sqlite;

/// <summary>How times are stored: UTC ISO-8601 text with seven fraction digits, so text order is time order and no tick is lost.</summary>
internal static class SqliteTime
{
    /// <summary>The stored form.</summary>
    internal const string Format = "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffff'Z'";

    /// <summary>The stored text of <paramref name="value"/>.</summary>
    public static string ToText(DateTimeOffset value) =>
        value.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>Reads stored text back as a UTC time.</summary>
    public static DateTimeOffset Parse(string text) =>
        DateTimeOffset.ParseExact(text, Format, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
