using System.Net;
using System.Net.Http.Headers;
using Switchyard.Generation;

namespace Switchyard.Providers.Upstream;

/// <summary>What the HTTP adapters share: the client they send with, Retry-After, and transport failures as values.</summary>
internal static class UpstreamHttp
{
    /// <summary>The longest error body read into a message.</summary>
    public const int MaxErrorChars = 300;

    /// <summary>
    /// A client for one provider. Its own timeout is off: the gateway's pipeline cancels the token on the attempt timeout,
    /// and a second, different timeout here would only blur which one fired.
    /// </summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
        AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,

        // No trace context goes to a provider (it shares no traces back, and our ids are ours): without a propagator the
        // handler builds no per-request activity either. Each call is still a span of the gateway's own (attempt).
        ActivityHeadersPropagator = null,
    })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    /// <summary>The wait a <c>Retry-After</c> header asks for (seconds or an HTTP date), or null.</summary>
    public static TimeSpan? RetryAfter(HttpResponseHeaders headers, TimeProvider timeProvider)
    {
        if (headers.RetryAfter is not { } retryAfter)
        {
            return null;
        }

        if (retryAfter.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter.Date is { } date)
        {
            var wait = date - timeProvider.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>A connection that failed before any answer: worth another try, perhaps on another tier.</summary>
    public static ProviderFailure ConnectionFailed(string provider, HttpRequestException exception) => new()
    {
        Class = ErrorClass.Unavailable,
        Message = $"{provider}: could not reach the API: {Shorten(exception.Message)}",
        Code = "connection_failed",
        Step = "send",
    };

    /// <summary>An answer that broke off while its body was read.</summary>
    public static ProviderFailure BodyFailed(string provider, int status, Exception exception) => new()
    {
        Class = ErrorClass.Unavailable,
        Message = $"{provider}: the answer ({status}) broke off while it was read: {Shorten(exception.Message)}",
        HttpStatus = status,
        Code = "connection_failed",
        Step = "receive",
    };

    /// <summary>The media type of a response, lower case, without parameters; empty when absent.</summary>
    public static string MediaType(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType?.ToLowerInvariant() ?? string.Empty;

    /// <summary>The first line of <paramref name="text"/>, cut to <see cref="MaxErrorChars"/>.</summary>
    public static string Shorten(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return "no message";
        }

        var line = text.Trim().Split('\n', 2)[0].Trim();
        return line.Length > MaxErrorChars ? line[..MaxErrorChars] + "…" : line;
    }
}
