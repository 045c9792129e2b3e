using Microsoft.Data.Sqlite;
using Switchyard.Keys;

namespace Switchyard.Storage.Sqlite;

/// <summary>API keys (as hashes) and server secrets in SQLite.</summary>
public sealed class SqliteKeyStore : IKeyStore
{
    private const string KeyColumns = "id, name, prefix, hash, is_admin, created_at, revoked_at, rpm, concurrency, daily_quota, routes, previous_prefix, previous_hash, previous_expires_at";

    private readonly SqliteDatabase _database;

    /// <summary>Creates a key store over a migrated database.</summary>
    public SqliteKeyStore(SqliteDatabase database)
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
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + KeyColumns + " FROM api_keys WHERE prefix = @prefix OR previous_prefix = @prefix ORDER BY prefix = @prefix DESC LIMIT 1;";
        command.Bind("@prefix", prefix);
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadKey(reader) : null;
    }

    /// <inheritdoc />
    /// <remarks>Fails when the id or the prefix is already taken.</remarks>
    public async ValueTask AddAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO api_keys (" + KeyColumns + ") VALUES (@id, @name, @prefix, @hash, @is_admin, @created_at, @revoked_at, @rpm, @concurrency, @daily_quota, @routes, @previous_prefix, @previous_hash, @previous_expires_at);";
                command.Bind("@id", key.Id);
                command.Bind("@name", key.Name);
                command.Bind("@prefix", key.Prefix);
                command.Bind("@hash", key.Hash);
                command.Bind("@is_admin", key.IsAdmin ? 1 : 0);
                command.BindTime("@created_at", key.CreatedAt);
                command.BindTime("@revoked_at", key.RevokedAt);
                BindLimits(command, key.Limits);
                command.Bind("@previous_prefix", key.PreviousPrefix);
                command.Bind("@previous_hash", key.PreviousHash);
                command.BindTime("@previous_expires_at", key.PreviousExpiresAt);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT " + KeyColumns + " FROM api_keys ORDER BY created_at DESC, id DESC;";
        using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
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
        var changed = await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE api_keys SET revoked_at = @at WHERE id = @id AND revoked_at IS NULL;";
                command.Bind("@id", id);
                command.BindTime("@at", at);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> UpdateLimitsAsync(string id, KeyLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(limits);
        var changed = await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "UPDATE api_keys SET rpm = @rpm, concurrency = @concurrency, daily_quota = @daily_quota, routes = @routes WHERE id = @id;";
                command.Bind("@id", id);
                BindLimits(command, limits);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <inheritdoc />
    public async ValueTask<bool> RotateAsync(string id, string prefix, byte[] hash, DateTimeOffset previousExpiresAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(hash);
        var changed = await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = """
                    UPDATE api_keys SET previous_prefix = prefix, previous_hash = hash, previous_expires_at = @until, prefix = @prefix, hash = @hash
                    WHERE id = @id AND revoked_at IS NULL;
                    """;
                command.Bind("@id", id);
                command.Bind("@prefix", prefix);
                command.Bind("@hash", hash);
                command.BindTime("@until", previousExpiresAt);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);
        return changed == 1;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The value is inserted only when absent and then read back, so concurrent callers, in this process
    /// or another one on the same file, all get the value that was stored first.
    /// </remarks>
    public async ValueTask<byte[]> GetOrCreateServerSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(create);

        var existing = await ReadSecretAsync(name, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return existing;
        }

        var candidate = create();
        if (candidate is null || candidate.Length == 0)
        {
            throw new InvalidOperationException($"The factory of server secret '{name}' returned no bytes.");
        }

        await _database.WriteAsync(
            async (connection, ct) =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "INSERT INTO server_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING;";
                command.Bind("@name", name);
                command.Bind("@value", candidate);
                return await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            },
            cancellationToken).ConfigureAwait(false);

        return await ReadSecretAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Server secret '{name}' was not found after it was stored.");
    }

    private async Task<byte[]?> ReadSecretAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM server_secrets WHERE name = @name;";
        command.Bind("@name", name);
        return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

    // Ordinals follow KeyColumns.
    private static ApiKeyRecord ReadKey(SqliteDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        Prefix = reader.GetString(2),
        Hash = (byte[])reader.GetValue(3),
        IsAdmin = reader.GetInt64(4) != 0,
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
        PreviousHash = reader.IsDBNull(12) ? null : (byte[])reader.GetValue(12),
        PreviousExpiresAt = reader.GetNullableTime(13),
    };

    private static void BindLimits(SqliteCommand command, KeyLimits limits)
    {
        command.Bind("@rpm", limits.RequestsPerMinute);
        command.Bind("@concurrency", limits.Concurrency);
        command.Bind("@daily_quota", limits.DailyQuota);
        command.Bind("@routes", limits.RoutesText);
    }
}
