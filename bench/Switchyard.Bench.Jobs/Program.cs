using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

// Items per second through the job queue: the real executable with a zero-latency sandbox, one job of N text items,
// timed from submit to the job's end. SQLite by default; --postgres URL for PostgreSQL (an empty database).
// Usage: dotnet run -c Release --project bench/Switchyard.Bench.Jobs -- [--items 2000] [--workers 8] [--postgres URL]
var items = IntArg("--items", 2000);
var workers = IntArg("--workers", 8);
var postgres = Arg("--postgres");
const string Key = "sy_BenchJob0001_abcdefghijklmnopqrstuvwxyz012345";

var folder = Directory.CreateTempSubdirectory("switchyard-bench-jobs-").FullName;
var port = FreePort();
var config = $$"""
    storage:
      database: {{postgres ?? "sqlite:data/switchyard.db"}}
      artifacts: file:data/artifacts
    providers:
      sandbox:
        type: sandbox
        latency: 0ms
        retry: { max_attempts: 1 }
        circuit_breaker: { minimum_throughput: 100000 }
    routes:
      text:
        modality: text
        chain: [ { provider: sandbox, model: sandbox-text } ]
    jobs:
      workers: {{workers}}
      max_items: {{Math.Max(items, 1000)}}
      poll_interval: 50ms
      concurrency: { per_key: {{workers}}, per_route: {{workers}} }
    """;
await File.WriteAllTextAsync(Path.Combine(folder, "switchyard.yaml"), config);
var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "switchyard.dll"), "serve", "--config", "switchyard.yaml", "--urls", $"http://127.0.0.1:{port}" })
{
    start.ArgumentList.Add(a);
}

start.Environment["SWITCHYARD_ADMIN_KEY"] = Key;
using var gateway = Process.Start(start)!;
gateway.OutputDataReceived += (_, _) => { };
gateway.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
gateway.BeginOutputReadLine();
gateway.BeginErrorReadLine();
try
{
    using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
    for (var i = 0; ; i++)
    {
        try
        {
            if ((await client.GetAsync(new Uri("/healthz", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
            {
                break;
            }
        }
        catch (HttpRequestException) when (i < 300)
        {
        }

        await Task.Delay(100);
    }

    var body = new StringBuilder("{\"items\":[");
    for (var i = 0; i < items; i++)
    {
        body.Append(i == 0 ? "" : ",").Append(CultureInfo.InvariantCulture, $"{{\"id\":\"i{i}\",\"type\":\"text\",\"prompt\":\"item {i}\"}}");
    }

    body.Append("]}");
    var clock = Stopwatch.StartNew();
    using var submitted = await client.PostAsync(new Uri("/v1/jobs", UriKind.Relative), new StringContent(body.ToString(), Encoding.UTF8, "application/json"));
    var submitTime = clock.Elapsed;
    var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
    JsonElement job;
    do
    {
        // Polled twice a second: reading a 2000-item job is itself work the queue competes with.
        await Task.Delay(500);
        job = await client.GetFromJsonAsync<JsonElement>(new Uri($"/v1/jobs/{id}", UriKind.Relative));
    }
    while (job.GetProperty("status").GetString() is "queued" or "running");

    var total = clock.Elapsed;
    var succeeded = job.GetProperty("counts").GetProperty("succeeded").GetInt32();
    Console.WriteLine($"database: {(postgres is null ? "sqlite" : "postgres")}, items: {items}, workers: {workers}");
    Console.WriteLine($"submit: {submitTime.TotalMilliseconds:0} ms; all done: {total.TotalSeconds:0.00} s; succeeded: {succeeded}/{items}");
    Console.WriteLine($"throughput: {items / total.TotalSeconds:0} items/s (each item: claim, run through the engine with its ledger run, flush, complete)");
    return succeeded == items ? 0 : 1;
}
finally
{
    gateway.Kill(entireProcessTree: true);
    await gateway.WaitForExitAsync();
    try
    {
        Directory.Delete(folder, recursive: true);
    }
    catch (IOException)
    {
    }
}

string? Arg(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

int IntArg(string name, int fallback) => Arg(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

static int FreePort()
{
    var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var port = ((IPEndPoint)listener.LocalEndpoint).Port;
    listener.Stop();
    return port;
}
