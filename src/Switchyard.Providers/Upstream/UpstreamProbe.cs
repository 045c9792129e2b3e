using System.Net.Sockets;
using Switchyard.Configuration;

namespace Switchyard.Providers.Upstream;

/// <summary>
/// What the HTTP adapters' zero-cost probes share: transport faults named the way an operator reads them
/// (a host that does not resolve, a port nobody listens on, TLS), and a rejected key with the variable it came from.
/// Never any part of a secret: callers pass upstream text through their own redaction first.
/// </summary>
internal static class UpstreamProbe
{
    /// <summary>The result for a request that never got an answer.</summary>
    /// <param name="provider">The provider's name (for <c>providers.NAME.base_url</c>).</param>
    /// <param name="url">The URL that was called.</param>
    /// <param name="exception">What the transport threw.</param>
    public static ProbeResult Unreachable(string provider, string url, Exception exception)
    {
        var uri = Uri.TryCreate(url, UriKind.Absolute, out var parsed) ? parsed : null;
        var host = uri?.Host ?? url;
        var origin = uri is null ? url : uri.GetLeftPart(UriPartial.Authority);
        var fix = $"check providers.{provider}.base_url";
        var socket = FindSocketError(exception);
        var kind = (exception as HttpRequestException)?.HttpRequestError ?? HttpRequestError.Unknown;

        if (kind == HttpRequestError.NameResolutionError || socket is SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain)
        {
            return new ProbeResult(false, $"base_url host {host} does not resolve", $"{fix} (is the host name right, and does this machine's DNS know it?)");
        }

        if (socket == SocketError.ConnectionRefused)
        {
            return new ProbeResult(false, $"nothing listens at {origin} (connection refused)", $"{fix}, and that the server is running on that port");
        }

        if (socket is SocketError.TimedOut || exception is TaskCanceledException { InnerException: TimeoutException })
        {
            return new ProbeResult(false, $"{origin} did not accept a connection in time", $"{fix}, and that a firewall or proxy lets this machine reach it");
        }

        if (kind == HttpRequestError.SecureConnectionError)
        {
            return new ProbeResult(false, $"TLS with {origin} failed: {UpstreamHttp.Shorten(Innermost(exception).Message)}", $"{fix}: http/https and the port must match the server, and its certificate must be trusted here");
        }

        if (socket is SocketError.NetworkUnreachable or SocketError.HostUnreachable)
        {
            return new ProbeResult(false, $"{origin} is unreachable from this machine ({socket})", $"{fix}, and this machine's network routes");
        }

        return new ProbeResult(false, $"could not reach {origin}: {UpstreamHttp.Shorten(Innermost(exception).Message)}", fix);
    }

    /// <summary>The result for a key the upstream refused (401/403).</summary>
    /// <param name="provider">The provider's name.</param>
    /// <param name="key">The configured key, whose variable the fix names.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="message">The upstream's message, already redacted.</param>
    /// <param name="what">What is called a key at this provider ("API key", "API token").</param>
    public static ProbeResult Rejected(string provider, Secret? key, int status, string message, string what = "API key")
    {
        var detail = $"the {what} was rejected (HTTP {status}: {message})";
        var fix = key switch
        {
            null or { IsPresent: false } => $"this server wants an {what}: add api_key: ${{VARIABLE}} to providers.{provider} and set it",
            { Variable: { } variable } => $"check the key in ${{{variable}}} — is it for this provider and not revoked?",
            _ => $"check providers.{provider}.api_key — is it for this provider and not revoked? (better: read it from an environment variable)",
        };
        return new ProbeResult(false, key is { IsPresent: true } ? detail : $"the server requires an {what} and none is configured (HTTP {status}: {message})", fix);
    }

    /// <summary>The fix for a failure of another kind, by its error class.</summary>
    public static string FixFor(Generation.ErrorClass errorClass, string provider) => errorClass switch
    {
        Generation.ErrorClass.RateLimited => "the provider is rate limiting this key; wait, or raise the limit in its console",
        Generation.ErrorClass.Misconfigured => $"check providers.{provider} (base_url, account, credit)",
        Generation.ErrorClass.Unavailable or Generation.ErrorClass.Timeout => "the provider is failing right now; retry later or check its status page",
        _ => $"check providers.{provider}.base_url points at the provider's API",
    };

    private static SocketError? FindSocketError(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }

        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        var current = exception;
        while (current.InnerException is not null)
        {
            current = current.InnerException;
        }

        return current;
    }
}
