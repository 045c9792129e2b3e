using Npgsql;
using Switchyard.Keys;

namespace Switchyard.Storage.Postgres;

/// <summary>API keys (as hashes) and server secrets in PostgreSQL, shared by every node.</summary>
public sealed class PostgresKeyStore : IKeyStore
{
    private const string KeyColumns = "id, name, prefix, hash, is_admin, created_at, revoked_at, rpm, concurrency, daily_quota, routes, previous_prefix, previous_hash, previous_expires_at";

    private readonly PostgresDatabase _database;

    /// <summary>Creates a key store over a migrated database.</summary>
    public PostgresKeyStore(PostgresDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        _database = database;
    }

    /// <inheritdoc />
    /// <remarks>Revoked keys are returned too, with <see cref="ApiKeyRecord.RevokedAt"/> set.</remarks>
    public async ValueTask<ApiKeyRecord?> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + KeyColumns + " FROM api_keys WHERE prefix = @prefix OR previous_prefix = @prefix ORDER BY prefix = @prefix DESC LIMIT 1;", connection);
        command.BindText("prefix", prefix);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadKey(reader) : null;
    }

    /// <inheritdoc />
    /// <remarks>Fails when the id or the prefix is already taken.</remarks>
    public async ValueTask AddAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            "INSERT INTO api_keys (" + KeyColumns + ") VALUES (@id, @name, @prefix, @hash, @is_admin, @created_at, @revoked_at, @rpm, @concurrency, @daily_quota, @routes, @previous_prefix, @previous_hash, @previous_expires_at);", connection);
        command.BindText("id", key.Id);
        command.BindText("name", key.Name);
        command.BindText("prefix", key.Prefix);
        command.BindBytes("hash", key.Hash);
        command.BindBool("is_admin", key.IsAdmin);
        command.BindTime("created_at", key.CreatedAt);
        command.BindTime("revoked_at", key.RevokedAt);
        BindLimits(command, key.Limits);
        command.BindText("previous_prefix", key.PreviousPrefix);
        command.BindNullableBytes("previous_hash", key.PreviousHash);
        command.BindTime("previous_expires_at", key.PreviousExpiresAt);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("SELECT " + KeyColumns + " FROM api_keys ORDER BY created_at DESC, id DESC;", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var keys = new List<ApiKeyRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            keys.Add(ReadKey(reader));
        }

        return keys;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RevokeAsync(string id, DateTimeOffset at, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;", connection);
        command.BindText("id", id);
        command.BindTime("at", at);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateLimitsAsync(string id, KeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(limits);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand("UPDATE api_keys SET rpm = @rpm, concurrency = @concurrency, daily_quota = @daily_quota, routes = @routes WHERE id = @id;", connection);
        command.BindText("id", id);
        BindLimits(command, limits);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RotateAsync(string id, string prefix, byte[] hash, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(hash);
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(
            """
            UPDATE api_keys SET previous_prefix = prefix, previous_hash = hash, previous_expires_at = @until, prefix = @prefix, hash = @hash
            WHERE id = @id AND revoked_at IS NULL;
            """,
            connection);
        command.BindText("id", id);
        command.BindText("prefix", prefix);
        command.BindBytes("hash", hash);
        command.BindTime("until", previousExpiresAt);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The value is inserted only when absent and then read back, so concurrent callers on every node
    /// get the value that was stored first.
    /// </remarks>
    public async ValueTask<byte[]> GetOrCreateServerSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(create);

        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var existing = await ReadSecretAsync(connection, name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        var candidate = create();
        if (candidate is null || candidate.Length == 0)
        {
            throw new InvalidOperationException($"The factory of server secret '{name}' returned no bytes.");
        }

        await using (var command = new NpgsqlCommand("INSERT INTO server_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;", connection))
        {
            command.BindText("name", name);
            command.BindBytes("value", candidate);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return await ReadSecretAsync(connection, name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Server secret '{name}' was not found after it was stored.");
    }

    private static async Task<byte[]?> ReadSecretAsync(NpgsqlConnection connection, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT value FROM server_secrets WHERE name = @name;", connection);
        command.BindText("name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    // Ordinals follow KeyColumns.
    private static ApiKeyRecord ReadKey(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        Prefix = reader.GetString(2),
        Hash = reader.GetFieldValue<byte[]>(3),
        IsAdmin = reader.GetBoolean(4),
        CreatedAt = reader.GetTime(5),
        RevokedAt = reader.GetNullableTime(6),
        Limits = new KeyLimits
        {
            RequestsPerMinute = reader.GetNullableInt32(7),
            Concurrency = reader.GetNullableInt32(8),
            DailyQuota = reader.GetNullableInt32(9),
            Routes = KeyLimits.ParseRoutes(reader.GetNullableString(10)),
        },
        PreviousPrefix = reader.GetNullableString(11),
        PreviousHash = reader.IsDBNull(12) ? null : reader.GetFieldValue<byte[]>(12),
        PreviousExpiresAt = reader.GetNullableTime(13),
    };

    private static void BindLimits(NpgsqlCommand command, KeyLimits limits)
    {
        command.BindInt("rpm", limits.RequestsPerMinute);
        command.BindInt("concurrency", limits.Concurrency);
        command.BindInt("daily_quota", limits.DailyQuota);
        command.BindText("routes", limits.RoutesText);
    }
}
