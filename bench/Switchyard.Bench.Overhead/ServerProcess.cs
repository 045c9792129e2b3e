using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Switchyard.Bench.Overhead;

/// <summary>
/// One server the bench starts (nginx, the YARP floor, Switchyard, Portkey): its output goes to a log file, it is
/// ready when its port accepts connections, and it is stopped with SIGTERM (killed only when it does not exit).
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Lock _lock = new();
    private readonly bool _includeChildren;

    private ServerProcess(string name, int port, Process process, StreamWriter log, bool includeChildren)
    {
        Name = name;
        Port = port;
        _process = process;
        _log = log;
        _includeChildren = includeChildren;
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool Exited => _process.HasExited;

    /// <summary>Starts the program and waits until <paramref name="port"/> on 127.0.0.1 accepts connections.</summary>
    /// <param name="includeChildren">Count the RSS of direct children too (nginx's workers).</param>
    public static async Task<ServerProcess> StartAsync(
        string name, int port, string file, IEnumerable<string> arguments, string workingDirectory, string logPath,
        IReadOnlyDictionary<string, string>? environment = null, bool includeChildren = false)
    {
        var start = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing from the bench's environment may reconfigure a server under test.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("SWITCHYARD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(key);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var log = new StreamWriter(logPath, append: false, Encoding.UTF8);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var server = new ServerProcess(name, port, process, log, includeChildren);
        process.OutputDataReceived += (_, e) => server.Write(e.Data);
        process.ErrorDataReceived += (_, e) => server.Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                var code = process.ExitCode;
                await server.DisposeAsync();
                throw new InvalidOperationException($"{name} exited with code {code} before it was ready; see {logPath}");
            }

            if (await AcceptsAsync(port))
            {
                return server;
            }

            await Task.Delay(100);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"{name} did not open port {port} within 90 s; see {logPath}");
    }

    /// <summary>A free TCP port on 127.0.0.1 (bound and released; the bench starts its servers right after).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Peak resident set size in bytes (VmHWM) of the process, plus its direct children when asked.</summary>
    public long PeakRssBytes() => SumStatus("VmHWM:");

    /// <summary>Current resident set size in bytes (VmRSS), plus direct children when asked.</summary>
    public long RssBytes() => SumStatus("VmRSS:");

    /// <summary>CPU time (user + system) the process and its children have used, in seconds.</summary>
    public double CpuSeconds()
    {
        var total = 0.0;
        foreach (var pid in Pids())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
            }
            catch (IOException)
            {
            }
        }

        return total;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture) }, UseShellExecute = false }))
            {
                if (kill is not null)
                {
                    await kill.WaitForExitAsync();
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }

        _process.Dispose();
        lock (_lock)
        {
            _log.Dispose();
        }
    }

    private long SumStatus(string field)
    {
        long total = 0;
        foreach (var pid in Pids())
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                {
                    if (line.StartsWith(field, StringComparison.Ordinal))
                    {
                        total += long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                    }
                }
            }
            catch (IOException)
            {
            }
        }

        return total;
    }

    private List<int> Pids()
    {
        var pids = new List<int> { _process.Id };
        if (_includeChildren)
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
            {
                var children = File.ReadAllText(Path.Combine(task, "children")).Split(' ', StringSplitOptions.RemoveEmptyEntries);
                pids.AddRange(children.Select(c => int.Parse(c, CultureInfo.InvariantCulture)));
            }
        }

        return pids;
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lock)
        {
            _log.WriteLine(line);
        }
    }

    private static async Task<bool> AcceptsAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
