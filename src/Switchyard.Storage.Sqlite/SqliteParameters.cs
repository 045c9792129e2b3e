using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Switchyard.Storage.Sqlite;

/// <summary>Binds and reads values with the storage conventions (null as NULL, times as <see cref="SqliteTime"/> text).</summary>
internal static class SqliteParameters
{
    /// <summary>Adds a parameter, binding null as NULL; when the command already has it (a command reused for a batch), sets its value.</summary>
    public static void Bind(this SqliteCommand command, string name, object? value)
    {
        var index = command.Parameters.IndexOf(name);
        if (index >= 0)
        {
            command.Parameters[index].Value = value ?? DBNull.Value;
        }
        else
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    /// <summary>Adds a time parameter.</summary>
    public static void BindTime(this SqliteCommand command, string name, DateTimeOffset? value) =>
        command.Bind(name, value is { } time ? SqliteTime.ToText(time) : null);

    /// <summary>Adds an exact decimal parameter as invariant text (REAL would round it).</summary>
    public static void BindDecimal(this SqliteCommand command, string name, decimal? value) =>
        command.Bind(name, value?.ToString(CultureInfo.InvariantCulture));

    /// <summary>A decimal column stored as invariant text, that may be NULL.</summary>
    public static decimal? GetNullableDecimal(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : decimal.Parse(reader.GetString(ordinal), NumberStyles.Number, CultureInfo.InvariantCulture);

    /// <summary>A text column that may be NULL.</summary>
    public static string? GetNullableString(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>An integer column that may be NULL.</summary>
    public static int? GetNullableInt32(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    /// <summary>An integer column that may be NULL.</summary>
    public static long? GetNullableInt64(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>A real column that may be NULL.</summary>
    public static double? GetNullableDouble(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    /// <summary>A time column.</summary>
    public static DateTimeOffset GetTime(this SqliteDataReader reader, int ordinal) =>
        SqliteTime.Parse(reader.GetString(ordinal));

    /// <summary>A time column that may be NULL.</summary>
    public static DateTimeOffset? GetNullableTime(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : SqliteTime.Parse(reader.GetString(ordinal));
}
