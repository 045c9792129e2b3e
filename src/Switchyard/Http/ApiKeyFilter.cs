using System.Collections.Concurrent;
using Microsoft.Extensions.Primitives;
using Switchyard.Keys;

namespace Switchyard.Http;

/// <summary>
/// Lets a request through only with a valid, unrevoked API key in <c>Authorization: Bearer</c>. A key found valid is
/// remembered for <see cref="CacheLifetime"/>, so the key store is not queried on every request (it was a third of
/// the request path's time under load); a key revoked meanwhile (by <c>switchyard keys revoke</c>, another process)
/// is refused at the latest that long after.
/// </summary>
internal sealed class ApiKeyFilter : IEndpointFilter
{
    /// <summary>How long a key found valid is used without asking the key store again.</summary>
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(2);

    private readonly IKeyStore _keys;
    private readonly TimeProvider _time;
    private readonly long _lifetimeTicks;

    // Only keys that exist and are active are cached, so its size is bounded by the key table, not by what callers send.
    private readonly ConcurrentDictionary<string, CachedKey> _valid = new(StringComparer.Ordinal);

    public ApiKeyFilter(IKeyStore keys, TimeProvider time)
    {
        _keys = keys;
        _time = time;
        _lifetimeTicks = (long)(CacheLifetime.TotalSeconds * time.TimestampFrequency);
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await AuthenticateAsync(context.HttpContext) ?? await next(context);

    /// <summary>Null when the request carries a valid key (now in <see cref="CallerKey"/>); otherwise the 401 to answer with.</summary>
    public async Task<IResult?> AuthenticateAsync(HttpContext http)
    {
        var presented = ReadBearer(http.Request.Headers.Authorization);
        if (presented is null)
        {
            return ErrorResults.Unauthorized("You didn't provide an API key. Send it as 'Authorization: Bearer KEY' (the admin key is printed once on first start).");
        }

        var prefix = ApiKeys.TryParsePrefix(presented);
        var record = prefix is null ? null : await FindAsync(prefix, http.RequestAborted);
        if (record is null || !ApiKeys.Matches(presented, record))
        {
            return ErrorResults.Unauthorized("Incorrect API key provided. Keys look like sy_XXXXXXXXXXXX_…; create one with 'switchyard keys create'.");
        }

        CallerKey.Set(http, record);
        return null;
    }

    /// <summary>Drops the remembered verdict for key <paramref name="keyId"/>, so a key revoked by this process (the dashboard) is refused at once.</summary>
    public void Forget(string keyId)
    {
        foreach (var (prefix, cached) in _valid)
        {
            if (cached.Record.Id == keyId)
            {
                _valid.TryRemove(prefix, out _);
            }
        }
    }

    private async ValueTask<ApiKeyRecord?> FindAsync(string prefix, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (_valid.TryGetValue(prefix, out var cached) && now - cached.Since < _lifetimeTicks)
        {
            return cached.Record;
        }

        var record = await _keys.FindByPrefixAsync(prefix, cancellationToken);
        if (record is { RevokedAt: null })
        {
            _valid[prefix] = new CachedKey(record, now);
        }
        else
        {
            _valid.TryRemove(prefix, out _);
        }

        return record;
    }

    private sealed record CachedKey(ApiKeyRecord Record, long Since);

    private static string? ReadBearer(StringValues header)
    {
        var value = header.ToString();
        const string scheme = "Bearer ";
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && value.Length > scheme.Length ? value[scheme.Length..].Trim() : null;
    }
}
