using System.Net;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// The HttpClient the OpenAI-style adapters use: one from <see cref="IHttpClientFactory"/> when the host registered
/// it (fresh per call, so handler rotation works), else one shared client over a pooled <see cref="SocketsHttpHandler"/>.
/// Its own timeout is infinite: the engine's per-attempt timeout cancels the call's token instead.
/// </summary>
internal static class OpenAIHttp
{
    /// <summary>The name of the client asked of <see cref="IHttpClientFactory"/>.</summary>
    public const string ClientName = "switchyard-openai";

    private static readonly Lazy<HttpClient> Shared = new(() => new HttpClient(new SocketsHttpHandler
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
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    /// <summary>How the provider obtains a client for each call.</summary>
    public static Func<HttpClient> For(IServiceProvider services)
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
}
