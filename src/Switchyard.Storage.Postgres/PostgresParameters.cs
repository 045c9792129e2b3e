using Npgsql;
using NpgsqlTypes;

namespace Switchyard.Storage.Postgres;

/// <summary>Binds and reads values with the storage conventions: typed parameters, null as NULL, times as UTC <c>timestamptz</c>.</summary>
internal static class PostgresParameters
{
    /// <summary>Adds a text parameter.</summary>
    public static void BindText(this NpgsqlCommand command, string name, string? value) =>
        command.Parameters.BindText(name, value);

    /// <summary>Adds a text parameter.</summary>
    public static void BindText(this NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value });

    /// <summary>Adds an integer parameter.</summary>
    public static void BindInt(this NpgsqlCommand command, string name, int? value) =>
        command.Parameters.BindInt(name, value);

    /// <summary>Adds an integer parameter.</summary>
    public static void BindInt(this NpgsqlParameterCollection parameters, string name, int? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Integer) { Value = value is { } v ? v : DBNull.Value });

    /// <summary>Adds a bigint parameter.</summary>
    public static void BindLong(this NpgsqlCommand command, string name, long? value) =>
        command.Parameters.BindLong(name, value);

    /// <summary>Adds a bigint parameter.</summary>
    public static void BindLong(this NpgsqlParameterCollection parameters, string name, long? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bigint) { Value = value is { } v ? v : DBNull.Value });

    /// <summary>Adds a double precision parameter.</summary>
    public static void BindDouble(this NpgsqlCommand command, string name, double? value) =>
        command.Parameters.BindDouble(name, value);

    /// <summary>Adds a double precision parameter.</summary>
    public static void BindDouble(this NpgsqlParameterCollection parameters, string name, double? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Double) { Value = value is { } v ? v : DBNull.Value });

    /// <summary>Adds an exact numeric parameter.</summary>
    public static void BindDecimal(this NpgsqlCommand command, string name, decimal? value) =>
        command.Parameters.BindDecimal(name, value);

    /// <summary>Adds an exact numeric parameter.</summary>
    public static void BindDecimal(this NpgsqlParameterCollection parameters, string name, decimal? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Numeric) { Value = value is { } v ? v : DBNull.Value });

    /// <summary>Adds a boolean parameter.</summary>
    public static void BindBool(this NpgsqlCommand command, string name, bool value) =>
        command.Parameters.BindBool(name, value);

    /// <summary>Adds a boolean parameter.</summary>
    public static void BindBool(this NpgsqlParameterCollection parameters, string name, bool value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Boolean) { Value = value });

    /// <summary>Adds a bytea parameter.</summary>
    public static void BindBytes(this NpgsqlCommand command, string name, byte[] value) =>
        command.Parameters.BindBytes(name, value);

    /// <summary>Adds a bytea parameter.</summary>
    public static void BindBytes(this NpgsqlParameterCollection parameters, string name, byte[] value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bytea) { Value = value });

    /// <summary>Adds a bytea parameter that may be NULL.</summary>
    public static void BindNullableBytes(this NpgsqlCommand command, string name, byte[]? value) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Bytea) { Value = value is null ? DBNull.Value : value });

    /// <summary>Adds a timestamptz parameter. Npgsql writes only UTC values to timestamptz, so the instant is converted first.</summary>
    public static void BindTime(this NpgsqlCommand command, string name, DateTimeOffset? value) =>
        command.Parameters.BindTime(name, value);

    /// <summary>Adds a timestamptz parameter. Npgsql writes only UTC values to timestamptz, so the instant is converted first.</summary>
    public static void BindTime(this NpgsqlParameterCollection parameters, string name, DateTimeOffset? value) =>
        parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value });

    /// <summary>A text column that may be NULL.</summary>
    public static string? GetNullableString(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>An integer column that may be NULL.</summary>
    public static int? GetNullableInt32(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    /// <summary>A bigint column that may be NULL.</summary>
    public static long? GetNullableInt64(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    /// <summary>A double precision column that may be NULL.</summary>
    public static double? GetNullableDouble(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDouble(ordinal);

    /// <summary>A numeric column that may be NULL.</summary>
    public static decimal? GetNullableDecimal(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetDecimal(ordinal);

    /// <summary>A timestamptz column, as a UTC instant.</summary>
    public static DateTimeOffset GetTime(this NpgsqlDataReader reader, int ordinal) =>
        reader.GetFieldValue<DateTimeOffset>(ordinal);

    /// <summary>A timestamptz column that may be NULL.</summary>
    public static DateTimeOffset? GetNullableTime(this NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<DateTimeOffset>(ordinal);
}
