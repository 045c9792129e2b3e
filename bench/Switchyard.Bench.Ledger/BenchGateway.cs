using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Switchyard.Bench.Ledger;

/// <summary>The real <c>switchyard serve</c> (switchyard.dll next to the benchmark) in a folder of its own, with its SQLite ledger there.</summary>
internal sealed class BenchGateway : IAsyncDisposable
{
    public const string Config = """
        storage:
          database: sqlite:data/switchyard.db
          artifacts: file:data/artifacts
        providers:
          sandbox-a:
            type: sandbox
            latency: 0ms
            retry: { max_attempts: 1 }
            circuit_breaker: { minimum_throughput: 100000 }
          placeholder:
            type: placeholder
        routes:
          text:
            modality: text
            chain:
              - { provider: sandbox-a, model: sandbox-text }
              - { provider: placeholder }
        """;

    private readonly Process _process;

    private BenchGateway(Process process, string folder, int port, string adminKey)
    {
        _process = process;
        Folder = folder;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        AdminKey = adminKey;
    }

    public string Folder { get; }

    public Uri BaseAddress { get; }

    public string AdminKey { get; }

    public string DatabasePath => Path.Combine(Folder, "data", "switchyard.db");

    /// <summary>CPU time the gateway process has used so far (user + system, all threads).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>The gateway's process id (for attaching a profiler).</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a gateway: with the real ledger, without one (<paramref name="noLedger"/> "1"), or with the queue over a store that keeps nothing ("queue").</summary>
    public static async Task<BenchGateway> StartAsync(bool ledger, string noLedger = "1")
    {
        var folder = Directory.CreateTempSubdirectory("switchyard-bench-gw-").FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "switchyard.yaml"), Config);
        var port = FreePort();
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var adminKey = $"sy_{RandomNumberGenerator.GetString(alphabet, 12)}_{RandomNumberGenerator.GetString(alphabet, 32)}";

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "switchyard.dll"), "serve", "--config", "switchyard.yaml", "--urls", $"http://127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SWITCHYARD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["SWITCHYARD_ADMIN_KEY"] = adminKey;
        if (!ledger)
        {
            start.Environment["SWITCHYARD_BENCH_NO_LEDGER"] = noLedger;
        }

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 })
            {
                Console.Error.WriteLine($"[gateway {port}] {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var gateway = new BenchGateway(process, folder, port, adminKey);
        using var client = new HttpClient { BaseAddress = gateway.BaseAddress };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var health = await client.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return gateway;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"switchyard did not start (exit {(process.HasExited ? process.ExitCode : -1)}).");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops the gateway as an operator would (SIGTERM), so it flushes its ledger; returns the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _process.WaitForExitAsync(timeout.Token);
        }

        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
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
}
