using System.Globalization;
using Switchyard.Configuration;

namespace Switchyard.Questions;

/// <summary>Reads a point in time as the questions take it: ISO-8601 (<c>2025-05-01T12:00:00Z</c>) or an age (<c>30m</c>, <c>1h</c>, <c>7d</c>: that long before now).</summary>
internal static class TimePoint
{
    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        // An age ends in its unit (a bare "5" or "10:00" would be read as days or a time of day by Duration).
        var trimmed = text.Trim();
        if (trimmed.Length > 0 && char.IsAsciiLetter(trimmed[^1]) && !trimmed.Contains(':', StringComparison.Ordinal) && Duration.TryParse(trimmed, out var age) && age <= now - DateTimeOffset.MinValue)
        {
            value = now - age;
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out value);
    }
}
