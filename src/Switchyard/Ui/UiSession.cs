using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Switchyard.Keys;

namespace Switchyard.Ui;

/// <summary>
/// The dashboard's session: a cookie that carries the admin key's id (never the key), when it was issued and
/// when it expires, signed with HMAC-SHA256 under a server secret kept in the key store (so every node accepts
/// it and it survives a restart). Each request looks the key up again: a revoked or demoted key's session
/// stops working at once.
/// </summary>
internal sealed class UiSession
{
    public const string CookieName = "switchyard-session";
    public const string SecretName = "ui-session";

    /// <summary>How long a session lasts from the login; then the admin key is asked for again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private readonly IKeyStore _keys;
    private readonly TimeProvider _time;
    private byte[]? _secret;

    public UiSession(IKeyStore keys, TimeProvider time)
    {
        _keys = keys;
        _time = time;
    }

    /// <summary>Checks a presented admin key: its record when it is valid, active and an admin key; otherwise why not.</summary>
    public async Task<(ApiKeyRecord? Key, string? Problem, int Status)> CheckKeyAsync(string? presented, CancellationToken cancellationToken)
    {
        var text = presented?.Trim();
        var prefix = ApiKeys.TryParsePrefix(text);
        var record = prefix is null ? null : await _keys.FindByPrefixAsync(prefix, cancellationToken);
        if (record is null || !ApiKeys.Matches(text!, record, _time.GetUtcNow()))
        {
            return (null, "That is not a valid, active Switchyard key. Keys look like sy_XXXXXXXXXXXX_…; the admin key is printed once on first start.", StatusCodes.Status401Unauthorized);
        }

        return record.IsAdmin
            ? (record, null, StatusCodes.Status200OK)
            : (null, $"The key {record.Id} is not an admin key; the dashboard needs an admin key.", StatusCodes.Status403Forbidden);
    }

    /// <summary>A new signed session value for the key.</summary>
    public async Task<(string Value, DateTimeOffset Expires)> IssueAsync(ApiKeyRecord key, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var expires = now + Lifetime;
        var payload = string.Create(CultureInfo.InvariantCulture, $"v1.{key.Id}.{now.ToUnixTimeSeconds()}.{expires.ToUnixTimeSeconds()}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12))}");
        return ($"{payload}.{await SignAsync(payload, cancellationToken)}", expires);
    }

    /// <summary>The session's key when the value is genuine, unexpired, and its key still an active admin key; otherwise null.</summary>
    public async Task<ApiKeyRecord?> ValidateAsync(string? value, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 512)
        {
            return null;
        }

        var cut = value.LastIndexOf('.');
        if (cut <= 0)
        {
            return null;
        }

        var payload = value[..cut];
        var expected = Encoding.ASCII.GetBytes(await SignAsync(payload, cancellationToken));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(value[(cut + 1)..])))
        {
            return null;
        }

        var parts = payload.Split('.');
        if (parts.Length != 5 || parts[0] != "v1" || !parts[1].StartsWith("key_", StringComparison.Ordinal)
            || !long.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            || _time.GetUtcNow().ToUnixTimeSeconds() >= expires)
        {
            return null;
        }

        var record = await _keys.FindByPrefixAsync(parts[1]["key_".Length..], cancellationToken);
        return record is { RevokedAt: null, IsAdmin: true } && record.Id == parts[1] ? record : null;
    }

    private async Task<string> SignAsync(string payload, CancellationToken cancellationToken)
    {
        // Read once; every node gets the same secret from the shared key store.
        _secret ??= await _keys.GetOrCreateServerSecretAsync(SecretName, static () => RandomNumberGenerator.GetBytes(32), cancellationToken);
        return Base64Url.EncodeToString(HMACSHA256.HashData(_secret, Encoding.UTF8.GetBytes(payload)));
    }
}
