using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Switchyard.Tests.Webhooks;

/// <summary>
/// A webhook receiver on 127.0.0.1 that records each request and answers with the next scripted status (200 once
/// the script runs out); a scripted 0 never answers (until the receiver is disposed), for timeouts.
/// </summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly Queue<int> _statuses;
    private readonly Task _loop;
    private readonly List<HttpListenerContext> _hanging = [];

    public LoopbackReceiver(params int[] statuses)
    {
        _statuses = new Queue<int>(statuses);
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Url = new Uri($"http://127.0.0.1:{port}/hooks/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public Uri Url { get; }

    public async Task<Received> NextAsync()
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        return await _received.Reader.ReadAsync(bound.Token);
    }

    /// <summary>A request already received, without waiting; false when none is waiting.</summary>
    public bool TryNext(out Received received) => _received.Reader.TryRead(out received!);

    public async ValueTask DisposeAsync()
    {
        lock (_hanging)
        {
            foreach (var context in _hanging)
            {
                context.Response.Abort();
            }
        }

        _listener.Stop();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (HttpListenerException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k.ToLowerInvariant(), k => context.Request.Headers[k]!);
            int status;
            lock (_statuses)
            {
                status = _statuses.Count > 0 ? _statuses.Dequeue() : 200;
            }

            _received.Writer.TryWrite(new Received(headers, body.ToArray(), status));
            if (status == 0)
            {
                lock (_hanging)
                {
                    _hanging.Add(context);
                }

                continue;
            }

            context.Response.StatusCode = status;
            context.Response.Close();
        }
    }

    internal sealed record Received(Dictionary<string, string> Headers, byte[] Body, int AnsweredWith);
}
