using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Switchyard.Bench.Overhead;

/// <summary>A target the load is sent to: where it listens and how a scenario's request is addressed to it.</summary>
internal sealed record Target(string Name, string Label, ServerProcess Server, string Kind, string? ApiKey, int UpstreamPort)
{
    /// <summary>Path, body file kind and headers for one scenario.</summary>
    public (string Url, string Body, IReadOnlyList<string> Headers) Address(Scenario scenario, string bodies)
    {
        var baseUrl = $"http://127.0.0.1:{Server.Port}";
        return Kind switch
        {
            "switchyard" => ($"{baseUrl}/v1{scenario.Endpoint}", Path.Combine(bodies, $"{scenario.Body}-switchyard.json"), [$"Authorization: Bearer {ApiKey}"]),
            "portkey" => ($"{baseUrl}/v1{scenario.Endpoint}", Path.Combine(bodies, $"{scenario.Body}-upstream.json"),
                ["Authorization: Bearer sk-bench-upstream", "x-portkey-provider: openai", $"x-portkey-custom-host: http://127.0.0.1:{UpstreamPort}{scenario.UpstreamBase}"]),
            _ => ($"{baseUrl}{scenario.UpstreamBase}{scenario.Endpoint}", Path.Combine(bodies, $"{scenario.Body}-upstream.json"), ["Authorization: Bearer sk-bench-upstream"]),
        };
    }
}

/// <summary>One kind of request: which upstream answer, which endpoint, which body.</summary>
internal sealed record Scenario(string Name, string Label, string UpstreamBase, string Endpoint, string Body, int? ImageSide)
{
    public static readonly Scenario Chat = new("chat", "chat completion", Fixtures.ChatBase, "/chat/completions", "chat", null);
    public static readonly Scenario Stream = new("stream", "chat completion, SSE", Fixtures.SseBase, "/chat/completions", "stream", null);
    public static readonly Scenario Image256 = new("image256", "image 256x256 (b64_json)", Fixtures.Image256Base, "/images/generations", "image256", 256);
    public static readonly Scenario Image1024 = new("image1024", "image 1024x1024 (b64_json)", Fixtures.Image1024Base, "/images/generations", "image1024", 1024);

    public static Scenario Named(string name) => name switch
    {
        "chat" => Chat,
        "image256" => Image256,
        "image1024" => Image1024,
        _ => throw new ArgumentException($"unknown scenario {name} (chat, image256, image1024)"),
    };
}

/// <summary>Starts the fake upstream and the gateways, each on a free port of 127.0.0.1.</summary>
internal static class Stack
{
    public static async Task<ServerProcess> StartNginxAsync(string folder)
    {
        var port = ServerProcess.FreePort();
        var prefix = Path.Combine(folder, "nginx");
        Directory.CreateDirectory(Path.Combine(prefix, "logs"));
        Directory.CreateDirectory(Path.Combine(prefix, "tmp"));
        var user = Environment.UserName == "root" ? "user root root;\n" : "";
        var config = $$"""
            {{user}}worker_processes auto;
            error_log {{prefix}}/logs/error.log warn;
            pid {{prefix}}/nginx.pid;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{prefix}}/tmp/body;
              proxy_temp_path {{prefix}}/tmp/proxy;
              fastcgi_temp_path {{prefix}}/tmp/fastcgi;
              uwsgi_temp_path {{prefix}}/tmp/uwsgi;
              scgi_temp_path {{prefix}}/tmp/scgi;
              sendfile on;
              tcp_nodelay on;
              keepalive_requests 10000000;
              keepalive_timeout 300s;
              server {
                listen 127.0.0.1:{{port}} reuseport;
                root {{folder}}/www;
                client_max_body_size 16m;
                # Static files answer POST with 405; this turns it into the file (the body is read and dropped).
                location / { default_type application/json; error_page 405 =200 $uri; }
                location /sse/ { default_type text/event-stream; error_page 405 =200 $uri; }
              }
            }
            """;
        var configPath = Path.Combine(prefix, "nginx.conf");
        await File.WriteAllTextAsync(configPath, config);
        return await ServerProcess.StartAsync("nginx", port, "nginx", ["-p", prefix, "-c", configPath, "-g", "daemon off;"], folder,
            Path.Combine(folder, "nginx.log"), includeChildren: true);
    }

    public static Task<ServerProcess> StartYarpAsync(string folder, string yarpDll, int upstreamPort)
    {
        var port = ServerProcess.FreePort();

        // Its own working directory: ASP.NET Core watches the content root (the working directory) recursively for
        // appsettings changes, so a YARP started in the run folder got an inotify event for every write of Switchyard's
        // SQLite ledger below it, taxing Switchyard's writes and burning CPU in YARP during Switchyard's rounds.
        var home = Directory.CreateDirectory(Path.Combine(folder, "yarp")).FullName;
        return ServerProcess.StartAsync("yarp", port, DotnetHost(), [yarpDll, "--urls", $"http://127.0.0.1:{port}", "--upstream", $"http://127.0.0.1:{upstreamPort}"],
            home, Path.Combine(folder, "yarp.log"));
    }

    /// <summary>Writes the Switchyard config, creates a (non-admin) client key with <c>switchyard keys create</c>, then serves.</summary>
    public static async Task<(ServerProcess Server, string Key, string Database)> StartSwitchyardAsync(string folder, string switchyardDll, int upstreamPort)
    {
        var home = Path.Combine(folder, "switchyard");
        Directory.CreateDirectory(home);
        var configPath = Path.Combine(home, "switchyard.yaml");
        await File.WriteAllTextAsync(configPath, SwitchyardConfig(upstreamPort));
        var environment = new Dictionary<string, string> { ["SWITCHYARD_ADMIN_KEY"] = "sy_benchadmin01_" + Guid.NewGuid().ToString("N"), ["BENCH_UPSTREAM_KEY"] = "sk-bench-upstream" };

        // The schema first (`migrate`), then a client key (`keys create`, shown once on stdout), then the server.
        await CliAsync(switchyardDll, home, "migrate", "--config", configPath);
        var output = await CliAsync(switchyardDll, home, "keys", "create", "--name", "bench", "--config", configPath);
        var key = output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("sy_", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"switchyard keys create printed no key: {output}");
        {
            var port = ServerProcess.FreePort();
            var server = await ServerProcess.StartAsync("switchyard", port, DotnetHost(),
                [switchyardDll, "serve", "--config", configPath, "--urls", $"http://127.0.0.1:{port}"], home, Path.Combine(folder, "switchyard.log"), environment);
            return (server, key, Path.Combine(home, "data", "switchyard.db"));
        }
    }

    private static async Task<string> CliAsync(string switchyardDll, string home, params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost()) { WorkingDirectory = home, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(switchyardDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BENCH_UPSTREAM_KEY"] = "sk-bench-upstream";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("switchyard did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"switchyard {string.Join(' ', arguments)} failed ({process.ExitCode}): {await output} {error}");
        }

        return await output;
    }

    public static Task<ServerProcess> StartPortkeyAsync(string folder, string portkeyDir)
    {
        var port = ServerProcess.FreePort();
        var script = Path.Combine(portkeyDir, "node_modules", "@portkey-ai", "gateway", "build", "start-server.js");
        if (!File.Exists(script))
        {
            throw new FileNotFoundException($"Portkey is not installed at {script} (bench/overhead/run.sh installs it)");
        }

        var home = Directory.CreateDirectory(Path.Combine(folder, "portkey")).FullName;
        return ServerProcess.StartAsync("portkey", port, "node", [script, $"--port={port}", "--headless"], home, Path.Combine(folder, "portkey.log"),
            new Dictionary<string, string> { ["NODE_ENV"] = "production", ["TRUSTED_CUSTOM_HOSTS"] = "127.0.0.1" });
    }

    /// <summary>The config Switchyard runs with: every part of the pipeline on (ledger, auth, limits, circuit breaker).</summary>
    public static string SwitchyardConfig(int upstreamPort)
    {
        var text = new StringBuilder();
        text.Append("""
            storage:
              database: sqlite:data/switchyard.db
              artifacts: file:data/artifacts
            outbound:
              allow_private: ["127.0.0.1/32"]
            providers:

            """);
        foreach (var (name, basePath) in new[] { ("upstream", Fixtures.ChatBase), ("upstream-sse", Fixtures.SseBase), ("upstream-img256", Fixtures.Image256Base), ("upstream-img1024", Fixtures.Image1024Base) })
        {
            text.Append(CultureInfo.InvariantCulture, $$"""
                  {{name}}:
                    type: openai-compatible
                    base_url: http://127.0.0.1:{{upstreamPort}}{{basePath}}
                    api_key: ${BENCH_UPSTREAM_KEY}
                    timeout: 30s
                    retry: { max_attempts: 3, base_delay: 250ms, max_delay: 1s }
                    circuit_breaker: { failure_ratio: 0.5, minimum_throughput: 10, sampling: 30s, break: 30s }
                    rate_limit: { rpm: 100000000, concurrency: 1024 }

                """);
        }

        text.Append("""
            routes:
              chat:
                modality: text
                chain: [ { provider: upstream, model: gpt-4o-mini } ]
              chat-stream:
                modality: text
                chain: [ { provider: upstream-sse, model: gpt-4o-mini } ]
              image-256:
                modality: image
                chain: [ { provider: upstream-img256, model: dall-e-2 } ]
              image-1024:
                modality: image
                chain: [ { provider: upstream-img1024, model: dall-e-2 } ]

            """);
        return text.ToString();
    }

    public static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
