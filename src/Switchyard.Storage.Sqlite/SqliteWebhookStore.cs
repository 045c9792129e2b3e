using System.Text;
using Microsoft.Data.Sqlite;
using Switchyard.Webhooks;

namespace Switchyard.Storage.Sqlite;

/// <summary>Webhook deliveries, their tries and keys' webhook secret generations in SQLite.</summary>
public sealed class SqliteWebhookStore : IWebhookDeliveryStore, IWebhookKeySecretStore
{
    private const string DeliveryColumns = """
        id, owner_key_id, url, event_type, subject_id, body, secret_ref, status, tries, round_tries,
        next_try_at, last_http_status, last_error, created_at, delivered_at
        """;

    private readonly SqliteDatabase _database;

    /// <summary>Creates the store over a migrated database.</summary>
    public SqliteWebhookStore(SqliteDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    /// <remarks>A delivery whose id is already stored is left as it is (enqueueing with a chosen id is idempotent).</remarks>
    public async ValueTask AddAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO webhook_deliveries (" + DeliveryColumns + """
                    ) VALUES (@id, @owner_key_id, @url, @event_type, @subject_id, @body, @secret_ref, @status, @tries, @round_tries,
                        @next_try_at, @last_http_status, @last_error, @created_at, @delivered_at)
                    ON CONFLICT (id) DO NOTHING;
                    """;
                command.Bind("@id", delivery.Id);
                command.Bind("@owner_key_id", delivery.OwnerKeyId);
                command.Bind("@url", delivery.Url);
                command.Bind("@event_type", delivery.EventType);
                command.Bind("@subject_id", delivery.SubjectId);
                command.Bind("@body", delivery.Body);
                command.Bind("@secret_ref", delivery.SecretRef);
                command.Bind("@status", delivery.Status.ToWire());
                command.Bind("@tries", delivery.Tries);
                command.Bind("@round_tries", delivery.RoundTries);
                command.BindTime("@next_try_at", delivery.NextTryAt);
                command.Bind("@last_http_status", delivery.LastHttpStatus);
                command.Bind("@last_error", delivery.LastError);
                command.BindTime("@created_at", delivery.CreatedAt);
                command.BindTime("@delivered_at", delivery.DeliveredAt);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>One UPDATE … RETURNING in an immediate transaction: other processes on the file wait for it, so a delivery is claimed once.</remarks>
    public async ValueTask<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, string leaseToken, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseToken);
        if (max < 1)
        {
            return [];
        }

        return await _database.WriteAsync<IReadOnlyList<WebhookDelivery>>(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = """
                    UPDATE webhook_deliveries SET lease_token = @token, next_try_at = @lease_until
                    WHERE id IN (
                        SELECT id FROM webhook_deliveries
                        WHERE status = 'pending' AND next_try_at <= @now
                        ORDER BY next_try_at, id LIMIT @max)
                    RETURNING
                    """ + " " + DeliveryColumns + ";";
                command.Bind("@token", leaseToken);
                command.BindTime("@lease_until", leaseUntil);
                command.BindTime("@now", now);
                command.Bind("@max", max);
                var claimed = new List<WebhookDelivery>();
                using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(ct).ConfigureAwait(false))
                    {
                        claimed.Add(ReadDelivery(reader));
                    }
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return [.. claimed.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id, StringComparer.Ordinal)];
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<bool> CompleteTryAsync(string id, string leaseToken, WebhookTry attempt, DateTimeOffset? nextTryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(leaseToken);
        ArgumentNullException.ThrowIfNull(attempt);
        return await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                long seq;
                using (var update = connection.CreateCommand())
                {
                    update.Transaction = transaction;
                    update.CommandText = """
                        UPDATE webhook_deliveries SET
                            status = @status, tries = tries + 1, round_tries = round_tries + 1, next_try_at = @next_try_at,
                            lease_token = NULL, last_http_status = COALESCE(@http_status, last_http_status), last_error = @error,
                            delivered_at = CASE WHEN @status = 'delivered' THEN @started_at ELSE delivered_at END
                        WHERE id = @id AND lease_token = @token
                        RETURNING tries;
                        """;
                    update.Bind("@status", attempt.Result.StatusAfter().ToWire());
                    update.BindTime("@next_try_at", attempt.Result == WebhookTryResult.Retry ? nextTryAt : null);
                    update.Bind("@http_status", attempt.HttpStatus);
                    update.Bind("@error", attempt.Error);
                    update.BindTime("@started_at", attempt.StartedAt);
                    update.Bind("@id", id);
                    update.Bind("@token", leaseToken);
                    if (await update.ExecuteScalarAsync(ct).ConfigureAwait(false) is not long tries)
                    {
                        await transaction.RollbackAsync(ct).ConfigureAwait(false);
                        return false;
                    }

                    seq = tries;
                }

                using (var insert = connection.CreateCommand())
                {
                    insert.Transaction = transaction;
                    insert.CommandText = """
                        INSERT INTO webhook_tries (delivery_id, seq, started_at, duration_ms, http_status, error, result)
                        VALUES (@id, @seq, @started_at, @duration_ms, @http_status, @error, @result);
                        """;
                    insert.Bind("@id", id);
                    insert.Bind("@seq", seq);
                    insert.BindTime("@started_at", attempt.StartedAt);
                    insert.Bind("@duration_ms", attempt.DurationMs);
                    insert.Bind("@http_status", attempt.HttpStatus);
                    insert.Bind("@error", attempt.Error);
                    insert.Bind("@result", attempt.Result.ToWire());
                    await insert.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookDelivery?> ResendAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                // The CASE reads the status before this update: a pending delivery keeps its round, the others start a new one.
                using var command = connection.CreateCommand();
                command.CommandText = """
                    UPDATE webhook_deliveries SET
                        round_tries = CASE WHEN status = 'pending' THEN round_tries ELSE 0 END,
                        status = 'pending', next_try_at = @now, lease_token = NULL, delivered_at = NULL
                    WHERE id = @id AND (lease_token IS NULL OR next_try_at <= @now);
                    """;
                command.Bind("@id", id);
                command.BindTime("@now", now);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookDelivery?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + DeliveryColumns + " FROM webhook_deliveries WHERE id = @id;";
        command.Bind("@id", id);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDelivery(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookTry>> GetTriesAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, started_at, duration_ms, http_status, error, result FROM webhook_tries WHERE delivery_id = @id ORDER BY seq;";
        command.Bind("@id", id);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var tries = new List<WebhookTry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            tries.Add(new WebhookTry
            {
                Seq = reader.GetInt32(0),
                StartedAt = reader.GetTime(1),
                DurationMs = reader.GetNullableDouble(2),
                HttpStatus = reader.GetNullableInt32(3),
                Error = reader.GetNullableString(4),
                Result = WebhookWire.ParseStoredResult(reader.GetString(5)),
            });
        }

        return tries;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookDelivery>> ListAsync(WebhookDeliveryQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Limit < 1)
        {
            return [];
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();

        // Only constant fragments are appended; every value is a parameter.
        var sql = new StringBuilder("SELECT " + DeliveryColumns + " FROM webhook_deliveries WHERE 1 = 1");
        if (query.OwnerKeyId is not null)
        {
            sql.Append(" AND owner_key_id = @owner");
            command.Bind("@owner", query.OwnerKeyId);
        }

        if (query.SubjectId is not null)
        {
            sql.Append(" AND subject_id = @subject");
            command.Bind("@subject", query.SubjectId);
        }

        if (query.Status is { } status)
        {
            sql.Append(" AND status = @status");
            command.Bind("@status", status.ToWire());
        }

        if (query.EventType is not null)
        {
            sql.Append(" AND event_type = @event_type");
            command.Bind("@event_type", query.EventType);
        }

        if (query.After is not null)
        {
            sql.Append(" AND id < @after");
            command.Bind("@after", query.After);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit;");
        command.Bind("@limit", query.Limit);
        command.CommandText = sql.ToString();
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var deliveries = new List<WebhookDelivery>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            deliveries.Add(ReadDelivery(reader));
        }

        return deliveries;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookKeySecretState> GetKeySecretStateAsync(string keyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ReadStateAsync(connection, keyId, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookKeySecretState> RotateKeySecretAsync(string keyId, DateTimeOffset now, TimeSpan overlap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var transaction = connection.BeginTransaction(deferred: false);
                using (var command = connection.CreateCommand())
                {
                    command.Transaction = transaction;
                    command.CommandText = """
                        INSERT INTO webhook_key_secrets (key_id, generation, previous_generation, previous_until, rotated_at)
                        VALUES (@key_id, 1, 0, @previous_until, @now)
                        ON CONFLICT (key_id) DO UPDATE SET
                            previous_generation = generation, generation = generation + 1,
                            previous_until = excluded.previous_until, rotated_at = excluded.rotated_at;
                        """;
                    command.Bind("@key_id", keyId);
                    command.BindTime("@previous_until", now + overlap);
                    command.BindTime("@now", now);
                    await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }

                var state = await ReadStateAsync(connection, keyId, ct, transaction).ConfigureAwait(false);
                await transaction.CommitAsync(ct).ConfigureAwait(false);
                return state;
            },
            cancellationToken).ConfigureAwait(false);
    }

    private static async Task<WebhookKeySecretState> ReadStateAsync(SqliteConnection connection, string keyId, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT generation, previous_generation, previous_until, rotated_at FROM webhook_key_secrets WHERE key_id = @key_id;";
        command.Bind("@key_id", keyId);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return new WebhookKeySecretState { KeyId = keyId };
        }

        return new WebhookKeySecretState
        {
            KeyId = keyId,
            Generation = reader.GetInt32(0),
            PreviousGeneration = reader.GetNullableInt32(1),
            PreviousUntil = reader.GetNullableTime(2),
            RotatedAt = reader.GetTime(3),
        };
    }

    // Ordinals follow DeliveryColumns.
    private static WebhookDelivery ReadDelivery(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        OwnerKeyId = reader.GetNullableString(1),
        Url = reader.GetString(2),
        EventType = reader.GetString(3),
        SubjectId = reader.GetString(4),
        Body = (byte[])reader.GetValue(5),
        SecretRef = reader.GetString(6),
        Status = WebhookWire.ParseStoredStatus(reader.GetString(7)),
        Tries = reader.GetInt32(8),
        RoundTries = reader.GetInt32(9),
        NextTryAt = reader.GetNullableTime(10),
        LastHttpStatus = reader.GetNullableInt32(11),
        LastError = reader.GetNullableString(12),
        CreatedAt = reader.GetTime(13),
        DeliveredAt = reader.GetNullableTime(14),
    };
}
