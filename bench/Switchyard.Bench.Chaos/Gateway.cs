using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Switchyard.Bench.Chaos;

/// <summary>A circuit transition the gateway logged (EventId 200), with when the bench read the line.</summary>
/// <param name="AtMs">Milliseconds on the bench's clock (<see cref="Gateway.Clock"/>) when the line arrived.</param>
internal sealed record CircuitTransition(double AtMs, string Provider, string State);

/// <summary>
/// The real <c>switchyard</c> executable, started as <c>dotnet switchyard.dll serve --config … --urls http://127.0.0.1:PORT</c>
/// in a temporary folder that holds the config, the SQLite ledger and the artifacts. Stopped with SIGTERM so the
/// host shuts down gracefully before the ledger is read. Only 127.0.0.1 is ever contacted.
/// </summary>
internal sealed class Gateway : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _lock = new();
    private readonly List<CircuitTransition> _transitions = [];
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _readyLine;
    private readonly bool _keep;

    private Gateway(string folder, int port, string adminKey, string gatewayDll, string logPath, Stopwatch clock, bool keep)
    {
        Folder = folder;
        Port = port;
        AdminKey = adminKey;
        Clock = clock;
        _keep = keep;
        _readyLine = $"switchyard ready on {BaseAddress.ToString().TrimEnd('/')}";
        _log = new StreamWriter(logPath, append: false, Encoding.UTF8) { AutoFlush = false };

        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(gatewayDll);
        foreach (var argument in new[] { "serve", "--config", ConfigPath, "--urls", BaseAddress.ToString().TrimEnd('/') })
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing from the bench's environment may reconfigure the gateway under test.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SWITCHYARD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["SWITCHYARD_ADMIN_KEY"] = adminKey;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data, "out");
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data, "err");
    }

    public string Folder { get; }

    public int Port { get; }

    public string AdminKey { get; }

    /// <summary>The bench's clock; circuit transitions are stamped with it.</summary>
    public Stopwatch Clock { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string ConfigPath => Path.Combine(Folder, "switchyard.yaml");

    /// <summary>The SQLite ledger, as <c>storage.database: sqlite:data/switchyard.db</c> puts it.</summary>
    public string DatabasePath => Path.Combine(Folder, "data", "switchyard.db");

    public int ExitCode => _process.HasExited ? _process.ExitCode : -1;

    /// <summary>Whether the last stop was a graceful exit after SIGTERM (not a kill).</summary>
    public bool StoppedGracefully { get; private set; }

    public double StopMs { get; private set; }

    public IReadOnlyList<CircuitTransition> Transitions
    {
        get
        {
            lock (_lock)
            {
                return [.. _transitions];
            }
        }
    }

    /// <summary>Writes <paramref name="config"/> to a fresh folder, starts the gateway and waits for its ready line and /healthz.</summary>
    public static async Task<Gateway> StartAsync(string gatewayDll, string config, string logPath, Stopwatch clock, bool keep)
    {
        var folder = Path.Combine(Path.GetTempPath(), "switchyard-chaos", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var gateway = new Gateway(folder, FreeLoopbackPort(), NewKey(), gatewayDll, logPath, clock, keep);
        await File.WriteAllTextAsync(gateway.ConfigPath, config);
        if (!gateway._process.Start())
        {
            throw new InvalidOperationException($"could not start {gateway._process.StartInfo.FileName} {gatewayDll}");
        }

        gateway._process.BeginOutputReadLine();
        gateway._process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(StartTimeout);
        var exited = gateway._process.WaitForExitAsync(timeout.Token);
        try
        {
            var first = await Task.WhenAny(gateway._ready.Task, exited);
            if (first != gateway._ready.Task)
            {
                await exited;
                throw new InvalidOperationException($"switchyard exited with code {gateway._process.ExitCode} before it was ready; see {logPath}");
            }

            await gateway.WaitForHealthAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"switchyard was not ready within {StartTimeout.TotalSeconds:0}s; see {logPath}");
        }

        return gateway;
    }

    /// <summary>Sends SIGTERM and waits for the process to exit; kills it only when it does not stop in time.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        var started = Clock.Elapsed;
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false }))
        {
            if (kill is not null)
            {
                await kill.WaitForExitAsync();
            }
        }

        using var timeout = new CancellationTokenSource(StopTimeout);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
            StoppedGracefully = true;
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync(CancellationToken.None);
            StoppedGracefully = false;
        }

        StopMs = (Clock.Elapsed - started).TotalMilliseconds;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync(CancellationToken.None);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
        lock (_lock)
        {
            _log.Flush();
            _log.Dispose();
        }

        if (!_keep)
        {
            try
            {
                Directory.Delete(Folder, recursive: true);
            }
            catch (IOException)
            {
                // Left for the OS to clean.
            }
        }
    }

    private void OnLine(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        var at = Clock.Elapsed.TotalMilliseconds;
        lock (_lock)
        {
            _log.Write(at.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
            _log.Write(' ');
            _log.Write(stream);
            _log.Write(' ');
            _log.WriteLine(line);
        }

        if (line.StartsWith(_readyLine, StringComparison.Ordinal))
        {
            _ready.TrySetResult();
        }

        if (line.StartsWith('{') && line.Contains("\"EventId\":200", StringComparison.Ordinal) && TryParseTransition(line, at) is { } transition)
        {
            lock (_lock)
            {
                _transitions.Add(transition);
            }
        }
    }

    /// <summary>Reads a JSON console line of <c>Circuit of provider {Provider} is now {State}</c>.</summary>
    private static CircuitTransition? TryParseTransition(string line, double at)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("EventId", out var id) || id.ValueKind != JsonValueKind.Number || id.GetInt32() != 200)
            {
                return null;
            }

            if (root.TryGetProperty("State", out var state) && state.ValueKind == JsonValueKind.Object
                && state.TryGetProperty("Provider", out var provider) && state.TryGetProperty("State", out var circuit))
            {
                return new CircuitTransition(at, provider.GetString() ?? "?", circuit.GetString() ?? "?");
            }

            // Fall back to the rendered message.
            var message = root.TryGetProperty("Message", out var m) ? m.GetString() ?? "" : "";
            var parts = message.Split(' ');
            return parts.Length >= 6 && parts[0] == "Circuit" ? new CircuitTransition(at, parts[3], parts[^1]) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task WaitForHealthAsync(CancellationToken cancellationToken)
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), cancellationToken);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (_process.HasExited)
            {
                throw new InvalidOperationException($"switchyard exited with code {_process.ExitCode} before /healthz answered");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }

    private static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }

    /// <summary>A key of the form SWITCHYARD_ADMIN_KEY takes: sy_ + 12 letters or digits + _ + 32 more.</summary>
    private static string NewKey()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return $"sy_{RandomNumberGenerator.GetString(alphabet, 12)}_{RandomNumberGenerator.GetString(alphabet, 32)}";
    }
}
