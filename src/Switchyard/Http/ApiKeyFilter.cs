using Microsoft.Extensions.Primitives;
using Switchyard.Keys;

namespace Switchyard.Http;

/// <summary>Lets a request through only with a valid, unrevoked API key in <c>Authorization: Bearer</c>.</summary>
internal sealed class ApiKeyFilter : IEndpointFilter
{
    private readonly IKeyStore _keys;
    private readonly TimeProvider _time;

    public ApiKeyFilter(IKeyStore keys, TimeProvider time)
    {
        _keys = keys;
        _time = time;
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
        var record = prefix is null ? null : await _keys.FindByPrefixAsync(prefix, http.RequestAborted);
        if (record is null || !ApiKeys.Matches(presented, record, _time.GetUtcNow()))
        {
            return ErrorResults.Unauthorized("Incorrect API key provided. Keys look like sy_XXXXXXXXXXXX_…; create one with 'switchyard keys create'.");
        }

        CallerKey.Set(http, record);
        return null;
    }

    private static string? ReadBearer(StringValues header)
    {
        var value = header.ToString();
        const string scheme = "Bearer ";
        return value.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) && value.Length > scheme.Length ? value[scheme.Length..].Trim() : null;
    }
}
