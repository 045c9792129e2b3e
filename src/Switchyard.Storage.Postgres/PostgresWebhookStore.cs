using System.Text;
using Npgsql;
using Switchyard.Webhooks;

namespace Switchyard.Storage.Postgres;

/// <summary>Webhook deliveries, their tries and keys' webhook secret generations in PostgreSQL, shared by every node.</summary>
public sealed class PostgresWebhookStore : IWebhookDeliveryStore, IWebhookKeySecretStore
{
    private const string DeliveryColumns = """
        id, owner_key_id, url, event_type, subject_id, body, secret_ref, status, tries, round_tries,
        next_try_at, last_http_status, last_error, created_at, delivered_at
        """;

    private readonly PostgresDatabase _database;

    /// <summary>Creates the store over a migrated database.</summary>
    public PostgresWebhookStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    /// <remarks>A delivery whose id is already stored is left as it is (enqueueing with a chosen id is idempotent).</remarks>
    public async ValueTask AddAsync(WebhookDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("INSERT INTO webhook_deliveries (" + DeliveryColumns + """
            ) VALUES (@id, @owner_key_id, @url, @event_type, @subject_id, @body, @secret_ref, @status, @tries, @round_tries,
                @next_try_at, @last_http_status, @last_error, @created_at, @delivered_at)
            ON CONFLICT (id) DO NOTHING;
            """, connection);
        command.BindText("id", delivery.Id);
        command.BindText("owner_key_id", delivery.OwnerKeyId);
        command.BindText("url", delivery.Url);
        command.BindText("event_type", delivery.EventType);
        command.BindText("subject_id", delivery.SubjectId);
        command.BindBytes("body", delivery.Body);
        command.BindText("secret_ref", delivery.SecretRef);
        command.BindText("status", delivery.Status.ToWire());
        command.BindInt("tries", delivery.Tries);
        command.BindInt("round_tries", delivery.RoundTries);
        command.BindTime("next_try_at", delivery.NextTryAt);
        command.BindInt("last_http_status", delivery.LastHttpStatus);
        command.BindText("last_error", delivery.LastError);
        command.BindTime("created_at", delivery.CreatedAt);
        command.BindTime("delivered_at", delivery.DeliveredAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The due rows are locked with <c>FOR UPDATE SKIP LOCKED</c>, so nodes claiming at once each get different deliveries
    /// without waiting for one another, and the lease is set in the same statement.
    /// </remarks>
    public async ValueTask<IReadOnlyList<WebhookDelivery>> ClaimDueAsync(DateTimeOffset now, DateTimeOffset leaseUntil, string leaseToken, int max, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(leaseToken);
        if (max < 1)
        {
            return [];
        }

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            UPDATE webhook_deliveries d SET lease_token = @token, next_try_at = @lease_until
            FROM (
                SELECT id FROM webhook_deliveries
                WHERE status = 'pending' AND next_try_at <= @now
                ORDER BY next_try_at, id LIMIT @max
                FOR UPDATE SKIP LOCKED) due
            WHERE d.id = due.id
            RETURNING
            """ + " " + string.Join(", ", DeliveryColumns.Split(',').Select(c => "d." + c.Trim())) + ";", connection);
        command.BindText("token", leaseToken);
        command.BindTime("lease_until", leaseUntil);
        command.BindTime("now", now);
        command.BindInt("max", max);
        var claimed = new List<WebhookDelivery>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
        {
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                claimed.Add(ReadDelivery(reader));
            }
        }

        return [.. claimed.OrderBy(d => d.CreatedAt).ThenBy(d => d.Id, StringComparer.Ordinal)];
    }

    /// <inheritdoc />
    public async ValueTask<bool> CompleteTryAsync(string id, string leaseToken, WebhookTry attempt, DateTimeOffset? nextTryAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentException.ThrowIfNullOrEmpty(leaseToken);
        ArgumentNullException.ThrowIfNull(attempt);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        int seq;
        await using (var update = new NpgsqlCommand("""
            UPDATE webhook_deliveries SET
                status = @status, tries = tries + 1, round_tries = round_tries + 1, next_try_at = @next_try_at,
                lease_token = NULL, last_http_status = COALESCE(@http_status, last_http_status), last_error = @error,
                delivered_at = CASE WHEN @status = 'delivered' THEN @started_at ELSE delivered_at END
            WHERE id = @id AND lease_token = @token
            RETURNING tries;
            """, connection, transaction))
        {
            update.BindText("status", attempt.Result.StatusAfter().ToWire());
            update.BindTime("next_try_at", attempt.Result == WebhookTryResult.Retry ? nextTryAt : null);
            update.BindInt("http_status", attempt.HttpStatus);
            update.BindText("error", attempt.Error);
            update.BindTime("started_at", attempt.StartedAt);
            update.BindText("id", id);
            update.BindText("token", leaseToken);
            if (await update.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is not int tries)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return false;
            }

            seq = tries;
        }

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO webhook_tries (delivery_id, seq, started_at, duration_ms, http_status, error, result)
            VALUES (@id, @seq, @started_at, @duration_ms, @http_status, @error, @result);
            """, connection, transaction))
        {
            insert.BindText("id", id);
            insert.BindInt("seq", seq);
            insert.BindTime("started_at", attempt.StartedAt);
            insert.BindDouble("duration_ms", attempt.DurationMs);
            insert.BindInt("http_status", attempt.HttpStatus);
            insert.BindText("error", attempt.Error);
            insert.BindText("result", attempt.Result.ToWire());
            await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <inheritdoc />
    public async ValueTask<WebhookDelivery?> ResendAsync(string id, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            // The CASE reads the status before this update: a pending delivery keeps its round, the others start a new one.
            await using var command = new NpgsqlCommand("""
                UPDATE webhook_deliveries SET
                    round_tries = CASE WHEN status = 'pending' THEN round_tries ELSE 0 END,
                    status = 'pending', next_try_at = @now, lease_token = NULL, delivered_at = NULL
                WHERE id = @id AND (lease_token IS NULL OR next_try_at <= @now);
                """, connection);
            command.BindText("id", id);
            command.BindTime("now", now);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await GetAsync(id, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<WebhookDelivery?> GetAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + DeliveryColumns + " FROM webhook_deliveries WHERE id = @id;", connection);
        command.BindText("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadDelivery(reader) : null;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<WebhookTry>> GetTriesAsync(string id, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "SELECT seq, started_at, duration_ms, http_status, error, result FROM webhook_tries WHERE delivery_id = @id ORDER BY seq;", connection);
        command.BindText("id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        await using var command = new NpgsqlCommand { Connection = connection };

        // Only constant fragments are appended; every value is a parameter.
        var sql = new StringBuilder("SELECT " + DeliveryColumns + " FROM webhook_deliveries WHERE TRUE");
        if (query.OwnerKeyId is not null)
        {
            sql.Append(" AND owner_key_id = @owner");
            command.BindText("owner", query.OwnerKeyId);
        }

        if (query.SubjectId is not null)
        {
            sql.Append(" AND subject_id = @subject");
            command.BindText("subject", query.SubjectId);
        }

        if (query.Status is { } status)
        {
            sql.Append(" AND status = @status");
            command.BindText("status", status.ToWire());
        }

        if (query.EventType is not null)
        {
            sql.Append(" AND event_type = @event_type");
            command.BindText("event_type", query.EventType);
        }

        if (query.After is not null)
        {
            sql.Append(" AND id < @after");
            command.BindText("after", query.After);
        }

        sql.Append(" ORDER BY id DESC LIMIT @limit;");
        command.BindInt("limit", query.Limit);
        command.CommandText = sql.ToString();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        await using var command = new NpgsqlCommand(
            "SELECT generation, previous_generation, previous_until, rotated_at FROM webhook_key_secrets WHERE key_id = @key_id;", connection);
        command.BindText("key_id", keyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadState(reader, keyId) : new WebhookKeySecretState { KeyId = keyId };
    }

    /// <inheritdoc />
    /// <remarks>One upsert: the row lock serializes concurrent rotations of the same key.</remarks>
    public async ValueTask<WebhookKeySecretState> RotateKeySecretAsync(string keyId, DateTimeOffset now, TimeSpan overlap, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("""
            INSERT INTO webhook_key_secrets AS s (key_id, generation, previous_generation, previous_until, rotated_at)
            VALUES (@key_id, 1, 0, @previous_until, @now)
            ON CONFLICT (key_id) DO UPDATE SET
                previous_generation = s.generation, generation = s.generation + 1,
                previous_until = excluded.previous_until, rotated_at = excluded.rotated_at
            RETURNING generation, previous_generation, previous_until, rotated_at;
            """, connection);
        command.BindText("key_id", keyId);
        command.BindTime("previous_until", now + overlap);
        command.BindTime("now", now);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return ReadState(reader, keyId);
    }

    private static WebhookKeySecretState ReadState(NpgsqlDataReader reader, string keyId) => new()
    {
        KeyId = keyId,
        Generation = reader.GetInt32(0),
        PreviousGeneration = reader.GetNullableInt32(1),
        PreviousUntil = reader.GetNullableTime(2),
        RotatedAt = reader.GetTime(3),
    };

    // Ordinals follow DeliveryColumns.
    private static WebhookDelivery ReadDelivery(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        OwnerKeyId = reader.GetNullableString(1),
        Url = reader.GetString(2),
        EventType = reader.GetString(3),
        SubjectId = reader.GetString(4),
        Body = reader.GetFieldValue<byte[]>(5),
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
