using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Tests.EndToEnd;

/// <summary>
/// The real <c>switchyard</c> executable (the <c>switchyard.dll</c> copied next to the test assembly), started as
/// <c>dotnet switchyard.dll serve --config … --urls http://127.0.0.1:PORT</c> in a temporary folder of its own that
/// holds the config, the SQLite database and the artifacts. One process per test class (an xunit class fixture);
/// disposing it kills the process tree and deletes the folder. Only 127.0.0.1 is ever contacted.
/// </summary>
public sealed class GatewayProcess : IAsyncLifetime
{
    /// <summary>How long start-up may take on a slow, busy CI machine.</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>The config every end-to-end test class runs with: like the embedded default, without latency or random faults.</summary>
    public const string DefaultConfig = """
        storage:
          database: sqlite:data/switchyard.db
          artifacts: file:data/artifacts

        providers:
          sandbox-a:
            type: sandbox
            timeout: 10s
            latency: 0ms
            # One try per tier and a circuit that does not open, so tests see each tier once.
            retry: { max_attempts: 1 }
            circuit_breaker: { minimum_throughput: 100000 }
          sandbox-b:
            type: sandbox
            timeout: 10s
            latency: 0ms
            # One try per tier and a circuit that does not open, so tests see each tier once.
            retry: { max_attempts: 1 }
            circuit_breaker: { minimum_throughput: 100000 }
          placeholder:
            type: placeholder

        routes:
          image:
            modality: image
            chain:
              - { provider: sandbox-a, model: sandbox-image }
              - { provider: sandbox-b, model: sandbox-image }
              - { provider: placeholder }
            on_content_rejected: next
          text:
            modality: text
            chain:
              - { provider: sandbox-a, model: sandbox-text }
              - { provider: sandbox-b, model: sandbox-text }
              - { provider: placeholder }
          speech:
            modality: speech
            chain:
              - { provider: sandbox-a, model: sandbox-speech }
              - { provider: sandbox-b, model: sandbox-speech }
              - { provider: placeholder }
        """;

    private readonly string? _config;
    private readonly bool _ownsFolder;
    private readonly ProcessOutput _output = new();
    private Process? _process;

    public GatewayProcess()
        : this(DefaultConfig)
    {
    }

    // Internal: an xunit class fixture must have exactly one public constructor.
    internal GatewayProcess(string config)
        : this(config, NewKey(), folder: null)
    {
    }

    /// <summary>
    /// A gateway with <paramref name="config"/> (null: the embedded default, no --config), the admin key given
    /// through the environment (null: none, so the gateway makes and prints one), in <paramref name="folder"/>
    /// (null: a fresh temporary folder, deleted on dispose; a given folder is kept, to restart on the same data).
    /// </summary>
    internal GatewayProcess(string? config, string? adminKey, string? folder)
    {
        _config = config;
        _ownsFolder = folder is null;
        Folder = folder ?? CreateTempFolder();
        AdminKey = adminKey;
    }

    /// <summary>Extra environment variables of the process (e.g. secrets the config references as <c>${NAME}</c>).</summary>
    internal IReadOnlyDictionary<string, string> ExtraEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>The temporary working directory: config, database and artifacts.</summary>
    public string Folder { get; }

    /// <summary>The admin key given through <c>SWITCHYARD_ADMIN_KEY</c>, or null when the gateway makes its own.</summary>
    public string? AdminKey { get; }

    /// <summary>Everything written on stdout so far.</summary>
    public string Stdout => _output.Stdout;

    /// <summary>Creates a folder for <see cref="GatewayProcess(string?, string?, string?)"/> that outlives one process.</summary>
    public static string NewFolder() => CreateTempFolder();

    /// <summary>Deletes a folder made with <see cref="NewFolder"/>.</summary>
    public static void RemoveFolder(string folder) => DeleteFolder(folder);

    public int Port { get; private set; }

    /// <summary>The process, once started (its id, whether it exited).</summary>
    public Process? Process => _process;

    /// <summary><c>http://127.0.0.1:PORT</c>, without a trailing slash.</summary>
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>The OpenAI base URL: <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri OpenAIEndpoint => new($"http://127.0.0.1:{Port}/v1");

    /// <summary>Everything the process wrote so far, for failure messages.</summary>
    public string Output => _output.ToString();

    public async ValueTask InitializeAsync()
    {
        Port = FreeLoopbackPort();
        var arguments = new List<string> { "serve", "--urls", BaseAddress.ToString().TrimEnd('/') };
        if (_config is not null)
        {
            var configPath = Path.Combine(Folder, "switchyard.yaml");
            await File.WriteAllTextAsync(configPath, _config);
            arguments.AddRange(["--config", configPath]);
        }

        var readyLine = $"switchyard ready on {BaseAddress.ToString().TrimEnd('/')}";
        _process = StartGateway(Folder, arguments, AdminKey, _output, readyLine, ExtraEnvironment);
        using var timeout = new CancellationTokenSource(StartTimeout);
        try
        {
            // The ready line is printed once Kestrel listens; the exit of the process ends the wait early.
            var exited = _process.WaitForExitAsync(timeout.Token);
            var first = await Task.WhenAny(_output.Ready, exited);
            if (first != _output.Ready)
            {
                await exited;
                throw new InvalidOperationException($"switchyard exited with code {_process.ExitCode} before it was ready.\n{Output}");
            }

            await WaitForHealthAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            throw new TimeoutException($"switchyard was not ready on {BaseAddress} within {StartTimeout.TotalSeconds:0}s.\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { } process)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
                // Already gone, or it will be reaped by the OS; the folder is still removed below.
            }

            process.Dispose();
        }

        if (_ownsFolder)
        {
            DeleteFolder(Folder);
        }
    }

    /// <summary>A client for this gateway; with <paramref name="key"/> as the bearer key, or none when null.</summary>
    public HttpClient CreateHttpClient(string? key)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    /// <summary>
    /// Runs <c>dotnet switchyard.dll ARGS</c> with <paramref name="config"/> as <c>switchyard.yaml</c> in a fresh
    /// folder until it exits (bounded by <paramref name="timeout"/>, then killed), for start-up failures.
    /// </summary>
    public static async Task<ProcessResult> RunToExitAsync(string config, IReadOnlyList<string> extraArguments, TimeSpan timeout)
    {
        var folder = CreateTempFolder();
        try
        {
            var configPath = Path.Combine(folder, "switchyard.yaml");
            await File.WriteAllTextAsync(configPath, config);
            var output = new ProcessOutput();
            var port = FreeLoopbackPort();
            using var process = StartGateway(folder, ["serve", "--config", configPath, "--urls", $"http://127.0.0.1:{port}", .. extraArguments], NewKey(), output, readyLine: null);
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"switchyard did not exit within {timeout.TotalSeconds:0}s.\n{output}");
            }

            // WaitForExitAsync returns after the redirected streams reach their end.
            return new ProcessResult(process.ExitCode, output.Stdout, output.Stderr);
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    /// <summary>Runs <c>dotnet switchyard.dll ARGS</c> (any command) in a fresh folder until it exits, bounded by <paramref name="timeout"/>.</summary>
    public static async Task<ProcessResult> RunCommandToExitAsync(IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var folder = CreateTempFolder();
        try
        {
            var output = new ProcessOutput();
            using var process = StartGateway(folder, arguments, NewKey(), output, readyLine: null);
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                await process.WaitForExitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None);
                throw new TimeoutException($"switchyard {string.Join(' ', arguments)} did not exit within {timeout.TotalSeconds:0}s.\n{output}");
            }

            return new ProcessResult(process.ExitCode, output.Stdout, output.Stderr);
        }
        finally
        {
            DeleteFolder(folder);
        }
    }

    /// <summary>The built <c>switchyard.dll</c>: the test project references the executable, so it sits next to the tests.</summary>
    public static string GatewayAssemblyPath
    {
        get
        {
            var path = Path.Combine(AppContext.BaseDirectory, "switchyard.dll");
            return File.Exists(path) ? path : throw new FileNotFoundException($"switchyard.dll is not in the test output folder {AppContext.BaseDirectory}; build the solution first.", path);
        }
    }

    private static Process StartGateway(string folder, IReadOnlyList<string> arguments, string? adminKey, ProcessOutput output, string? readyLine, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(GatewayAssemblyPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Nothing from the test run's environment may reconfigure the gateway under test.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("SWITCHYARD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_URLS", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        if (adminKey is not null)
        {
            start.Environment["SWITCHYARD_ADMIN_KEY"] = adminKey;
        }
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.AddStdout(e.Data, readyLine);
        process.ErrorDataReceived += (_, e) => output.AddStderr(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {start.FileName} {string.Join(' ', start.ArgumentList)}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForHealthAsync(CancellationToken cancellationToken)
    {
        using var client = CreateHttpClient(key: null);
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

            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"switchyard exited with code {_process.ExitCode} before /healthz answered.\n{Output}");
            }

            await Task.Delay(100, cancellationToken);
        }
    }

    // The dotnet host that runs the tests (DOTNET_HOST_PATH is set by the dotnet CLI), else the one on PATH.
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

    private static string CreateTempFolder()
    {
        var folder = Path.Combine(Path.GetTempPath(), "switchyard-e2e", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open by a dying process; the temp folder is cleaned by the OS eventually.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>A key of the form the gateway accepts in SWITCHYARD_ADMIN_KEY: sy_ + 12 letters or digits + _ + 32 more.</summary>
    internal static string NewKey()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return $"sy_{RandomNumberGenerator.GetString(alphabet, 12)}_{RandomNumberGenerator.GetString(alphabet, 32)}";
    }

    /// <summary>The captured lines of stdout and stderr, and whether the ready line was seen.</summary>
    private sealed class ProcessOutput
    {
        private readonly StringBuilder _stdout = new();
        private readonly StringBuilder _stderr = new();
        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Ready => _ready.Task;

        public string Stdout
        {
            get
            {
                lock (_stdout)
                {
                    return _stdout.ToString();
                }
            }
        }

        public string Stderr
        {
            get
            {
                lock (_stderr)
                {
                    return _stderr.ToString();
                }
            }
        }

        public void AddStdout(string? line, string? readyLine)
        {
            if (line is null)
            {
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(line);
            }

            if (readyLine is not null && line.StartsWith(readyLine, StringComparison.Ordinal))
            {
                _ready.TrySetResult();
            }
        }

        public void AddStderr(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(line);
            }
        }

        public override string ToString() => $"--- stdout ---\n{Stdout}--- stderr ---\n{Stderr}";
    }
}

/// <summary>How a finished <c>switchyard</c> process ended.</summary>
public sealed record ProcessResult(int ExitCode, string Stdout, string Stderr);
