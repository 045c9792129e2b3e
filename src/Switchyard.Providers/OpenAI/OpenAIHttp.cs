using System.Net;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// What the OpenAI-style adapters send with: a client from <see cref="IHttpClientFactory"/> when the host registered
/// it (fresh per call, so handler rotation works; its own timeout infinite), else one shared pooled
/// <see cref="SocketsHttpHandler"/>. The engine's per-attempt timeout cancels the call's token.
/// </summary>
internal static class OpenAIHttp
{
    /// <summary>The name of the client asked of <see cref="IHttpClientFactory"/>.</summary>
    public const string ClientName = "switchyard-openai";

    // The handler itself, not an HttpClient over it: HttpClient adds a layer per call (a linked cancellation source with
    // its own pending-requests token, an async state machine) for features not used here (timeout, base address,
    // default headers, buffering). Calls always read the answer as it streams.
    private static readonly Lazy<HttpMessageInvoker> Shared = new(() => new HttpMessageInvoker(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(30),
        // No Accept-Encoding is sent, so providers answer uncompressed (as OpenAI-style APIs do by default): the answers
        // worth compressing are base64 images, which gzip shrinks by a quarter at most, while the decompression stage
        // cost every call a header enumeration and an async layer (bench/README.md).
        AutomaticDecompression = DecompressionMethods.None,

        // A provider API that redirects is a wrong base_url (http for https, a moved host): following it would turn the
        // POST into a GET, or send the body and key somewhere else. The 3xx is reported as misconfigured instead, and no
        // redirect stage runs on every call.
        AllowAutoRedirect = false,

        // No trace context goes to a provider (it shares no traces back, and our ids are ours): without a propagator the
        // handler builds no per-request activity either. Each call is still a span of the gateway's own (attempt).
        ActivityHeadersPropagator = null,
    }));

    /// <summary>How the provider obtains a client for each call.</summary>
    public static Func<HttpMessageInvoker> For(IServiceProvider services)
    {
        if (services.GetService(typeof(IHttpClientFactory)) is IHttpClientFactory factory)
        {
            return () =>
            {
                var client = factory.CreateClient(ClientName);
                client.Timeout = Timeout.InfiniteTimeSpan;
                return client;
            };
        }

        return static () => Shared.Value;
    }

    /// <summary>Sends <paramref name="request"/>, returning once the headers are read (the body streams).</summary>
    public static Task<HttpResponseMessage> SendStreamingAsync(this HttpMessageInvoker invoker, HttpRequestMessage request, CancellationToken cancellationToken) =>
        invoker is HttpClient client
            ? client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken)
            : invoker.SendAsync(request, cancellationToken);
}
