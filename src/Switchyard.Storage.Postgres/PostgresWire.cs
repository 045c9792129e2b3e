using Switchyard.Generation;

namespace Switchyard.Storage.Postgres;

/// <summary>Reads the enums' wire names back; the columns hold the contract's snake_case names.</summary>
internal static class PostgresWire
{
    /// <summary>Parses a run outcome.</summary>
    public static RunOutcome ParseOutcome(string text) => Parse(text, static (RunOutcome value) => value.ToWire());

    /// <summary>Parses an attempt status.</summary>
    public static AttemptStatus ParseStatus(string text) => Parse(text, static (AttemptStatus value) => value.ToWire());

    /// <summary>Parses a skip reason.</summary>
    public static SkipReason ParseSkipReason(string text) => Parse(text, static (SkipReason value) => value.ToWire());

    /// <summary>Parses an error class.</summary>
    public static ErrorClass ParseErrorClass(string text) => Parse(text, static (ErrorClass value) => value.ToWire());

    /// <summary>Parses a modality.</summary>
    public static Modality ParseModality(string text) => Parse(text, static (Modality value) => value.ToWire());

    private static T Parse<T>(string text, Func<T, string> toWire)
        where T : struct, Enum
    {
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(toWire(candidate), text, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        throw new InvalidDataException($"The database holds '{text}', which is not a {typeof(T).Name} wire name.");
    }
}
