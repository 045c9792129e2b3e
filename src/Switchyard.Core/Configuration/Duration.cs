using System.Globalization;

namespace Switchyard.Configuration;

/// <summary>Parses the config's durations: <c>250ms</c>, <c>60s</c>, <c>5m</c>, <c>2h</c>, <c>1d</c> or <c>hh:mm:ss</c>.</summary>
public static class Duration
{
    /// <summary>Parses a duration; false when the text is not one.</summary>
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var s = text.Trim();
        (string suffix, double factorMs)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)];
        foreach (var (suffix, factor) in units)
        {
            if (s.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(s.AsSpan(0, s.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && !(suffix == "m" && s.EndsWith("ms", StringComparison.Ordinal))
                && number >= 0 && double.IsFinite(number))
            {
                // Beyond TimeSpan's range (about 29,000 years) is not a duration.
                if (number * factor >= TimeSpan.MaxValue.TotalMilliseconds)
                {
                    return false;
                }

                value = TimeSpan.FromMilliseconds(number * factor);
                return true;
            }
        }

        return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
    }

    /// <summary>Formats a duration the way the config writes it.</summary>
    public static string Format(TimeSpan value) =>
        value.TotalMilliseconds < 1000 ? $"{value.TotalMilliseconds:0.#}ms"
        : value.TotalSeconds < 120 ? $"{value.TotalSeconds:0.#}s"
        : value.TotalMinutes < 120 ? $"{value.TotalMinutes:0.#}m"
        : $"{value.TotalHours:0.#}h";
}
