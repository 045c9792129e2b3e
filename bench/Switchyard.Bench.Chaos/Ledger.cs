using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Switchyard.Bench.Chaos;

internal sealed record LedgerAttempt(
    int Seq,
    int Tier,
    int Retry,
    string Provider,
    string Status,
    string? ErrorClass,
    string? SkipReason,
    DateTimeOffset StartedAt,
    double? DurationMs);

internal sealed record LedgerRun(
    string Id,
    DateTimeOffset StartedAt,
    string? Outcome,
    string? ServedProvider,
    int? ServedTier,
    double? DurationMs,
    string? ErrorClass,
    int? HttpStatus,
    int AttemptCount)
{
    public List<LedgerAttempt> Attempts { get; } = [];
}

/// <summary>The ledger file read directly (read-only) after the gateway stopped.</summary>
internal static class Ledger
{
    public static Dictionary<string, LedgerRun> Read(string databasePath)
    {
        var runs = new Dictionary<string, LedgerRun>(StringComparer.Ordinal);
        var builder = new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false };
        using var connection = new SqliteConnection(builder.ConnectionString);
        connection.Open();

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, started_at, outcome, served_provider, served_tier, duration_ms, error_class, http_status, attempt_count FROM runs";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var run = new LedgerRun(
                    reader.GetString(0),
                    ParseTime(reader.GetString(1)),
                    reader.IsDBNull(2) ? null : reader.GetString(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetInt32(4),
                    reader.IsDBNull(5) ? null : reader.GetDouble(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetInt32(7),
                    reader.GetInt32(8));
                runs[run.Id] = run;
            }
        }

        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT run_id, seq, tier, retry, provider, status, error_class, skip_reason, started_at, duration_ms FROM attempts ORDER BY run_id, seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var attempt = new LedgerAttempt(
                    reader.GetInt32(1),
                    reader.GetInt32(2),
                    reader.GetInt32(3),
                    reader.GetString(4),
                    reader.GetString(5),
                    reader.IsDBNull(6) ? null : reader.GetString(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    ParseTime(reader.GetString(8)),
                    reader.IsDBNull(9) ? null : reader.GetDouble(9));
                if (runs.TryGetValue(reader.GetString(0), out var run))
                {
                    run.Attempts.Add(attempt);
                }
            }
        }

        return runs;
    }

    private static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
