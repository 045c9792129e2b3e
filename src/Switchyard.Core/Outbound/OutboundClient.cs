using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Switchyard.Configuration;

namespace Switchyard.Outbound;

/// <summary>
/// The HTTP client for URLs that come from clients (image inputs, webhooks). Every connection is
/// checked against the <see cref="AddressPolicy"/> after DNS resolution and connects to the very
/// address that was checked (no second lookup to rebind); redirects are followed by hand, a few at
/// most, each re-checked; only http and https; bodies are capped.
/// </summary>
public sealed class OutboundClient : IDisposable
{
    /// <summary>The most redirects followed.</summary>
    public const int MaxRedirects = 3;

    private readonly HttpClient _client;

    /// <summary>Creates the client for the config's outbound rules.</summary>
    public OutboundClient(OutboundConfig config, TimeSpan timeout)
        : this(new AddressPolicy(config.AllowPrivate), timeout)
    {
    }

    /// <summary>Creates the client for a policy.</summary>
    public OutboundClient(AddressPolicy policy, TimeSpan timeout)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectTimeout = timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(policy, context, cancellationToken),
        };
        _client = new HttpClient(handler) { Timeout = timeout };
        _client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Switchyard", "1.0"));
    }

    /// <summary>Downloads <paramref name="url"/> (following redirects) up to <paramref name="maxBytes"/>; throws <see cref="OutboundException"/> saying why it refused or failed.</summary>
    public async Task<(byte[] Content, string? ContentType)> GetBytesAsync(Uri url, long maxBytes, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; hop <= MaxRedirects; hop++)
        {
            CheckUrl(current);
            using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, current), cancellationToken).ConfigureAwait(false);
            if (IsRedirect(response.StatusCode))
            {
                current = response.Headers.Location is { } location
                    ? new Uri(current, location)
                    : throw new OutboundException($"{current.Host} answered {(int)response.StatusCode} without a Location");
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new OutboundException($"{current.Host} answered HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                throw new OutboundException($"the content is {response.Content.Headers.ContentLength} bytes; the limit is {maxBytes}");
            }

            var content = await ReadCappedAsync(response.Content, maxBytes, cancellationToken).ConfigureAwait(false);
            return (content, response.Content.Headers.ContentType?.MediaType);
        }

        throw new OutboundException($"more than {MaxRedirects} redirects");
    }

    /// <summary>Sends <paramref name="request"/> once (no redirects: a webhook receiver that redirects is a failed delivery).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        CheckUrl(request.RequestUri ?? throw new ArgumentException("The request has no URL.", nameof(request)));
        try
        {
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (ex.InnerException is OutboundException refused)
        {
            throw new OutboundException(refused.Message, ex) { IsRefused = refused.IsRefused };
        }
        catch (HttpRequestException ex)
        {
            throw new OutboundException($"could not reach {request.RequestUri.Host}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _client.Dispose();

    /// <summary>Refuses URLs that are not plain http(s) or that carry credentials.</summary>
    public static void CheckUrl(Uri url)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new OutboundException($"only http and https URLs are fetched, not '{(url.IsAbsoluteUri ? url.Scheme : "relative")}'") { IsRefused = true };
        }

        if (url.UserInfo.Length > 0)
        {
            throw new OutboundException("URLs with credentials in them are refused") { IsRefused = true };
        }
    }

    private static bool IsRedirect(HttpStatusCode status) => (int)status is 301 or 302 or 303 or 307 or 308;

    private static async Task<byte[]> ReadCappedAsync(HttpContent content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new OutboundException($"the content is larger than the limit of {maxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static async ValueTask<Stream> ConnectAsync(AddressPolicy policy, SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        string? refusal = null;
        foreach (var address in addresses)
        {
            if (policy.Check(address) is { } reason)
            {
                refusal = reason;
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken).ConfigureAwait(false);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new OutboundException($"refused to connect to {host}: {refusal ?? "it has no address"}") { IsRefused = refusal is not null };
    }
}
