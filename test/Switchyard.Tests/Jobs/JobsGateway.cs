using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Jobs;
using Switchyard.Keys;
using Switchyard.Tests.Fixtures;
using Switchyard.Webhooks;
using Switchyard.Tests.Common.Time;

namespace Switchyard.Tests.Jobs;

/// <summary>
/// The gateway in-process on a fake clock with no background job workers (jobs.workers: 0), so each test steps the
/// queue itself through <see cref="JobWorker.ProcessNextAsync"/>; a recording webhook outbox stands in for the real one.
/// </summary>
internal sealed class JobsGateway : IDisposable
{
    public const string Yaml = GatewayFactory.DefaultYaml + """

        jobs:
          workers: 0
          lease: 30s
          max_attempts: 2
          retry: { base_delay: 5s, max_delay: 1m }
          max_items: 20
          concurrency: { per_key: 2, per_route: 3, routes: { speech: 1 } }
        """;

    private readonly GatewayFactory _factory;
    private readonly WebApplicationFactory<Program> _app;

    public JobsGateway(string? yaml = null)
    {
        Time = new WatchedTimeProvider(new DateTimeOffset(2026, 5, 6, 7, 8, 9, TimeSpan.Zero));
        _factory = new GatewayFactory(WithStrictRoute(yaml ?? Yaml)) { Time = Time };
        _app = _factory.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IWebhookOutbox>(Outbox)));
    }

    public WatchedTimeProvider Time { get; }

    public RecordingOutbox Outbox { get; } = new();

    public IServiceProvider Services => _app.Services;

    /// <summary>The gateway itself, for clients that need their own options (the dashboard's cookie client).</summary>
    public WebApplicationFactory<Program> App => _app;

    public JobWorker Worker => Services.GetRequiredService<JobWorker>();

    public IJobStore Store => Services.GetRequiredService<IJobStore>();

    public HttpClient Client(string key = GatewayFactory.AdminKey)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Creates a non-admin key and returns its text.</summary>
    public async Task<string> CreateKeyAsync(string name)
    {
        _ = _app.Services;
        var (text, record) = ApiKeys.Create(name, isAdmin: false, Time.GetUtcNow());
        await Services.GetRequiredService<IKeyStore>().AddAsync(record, TestContext.Current.CancellationToken);
        return text;
    }

    /// <summary>Runs queued items until none is left to claim now.</summary>
    public async Task<int> DrainAsync()
    {
        var count = 0;
        while (await Worker.ProcessNextAsync(TestContext.Current.CancellationToken))
        {
            count++;
        }

        return count;
    }

    public static async Task<JsonElement> SubmitAsync(HttpClient client, string body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {json}");
        return json;
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string jobId)
    {
        using var response = await client.GetAsync($"/v1/jobs/{jobId}", TestContext.Current.CancellationToken);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {json}");
        return json;
    }

    public static JsonElement Item(JsonElement job, string id) => job.GetProperty("items").EnumerateArray().First(i => i.GetProperty("id").GetString() == id);

    public void Dispose()
    {
        _app.Dispose();
        _factory.Dispose();
    }

    // strict-text has only a sandbox: a forced fault fails the run instead of the placeholder serving it.
    private static string WithStrictRoute(string yaml) => yaml.Replace("routes:\n", """
        routes:
          strict-text:
            modality: text
            chain:
              - { provider: sandbox-a, model: sandbox-text }

        """.Replace("\r", "", StringComparison.Ordinal), StringComparison.Ordinal);

    /// <summary>Records what the jobs part hands to the outbox.</summary>
    public sealed class RecordingOutbox : IWebhookOutbox
    {
        public ConcurrentQueue<WebhookMessage> Messages { get; } = new();

        public ValueTask<string> EnqueueAsync(WebhookMessage message, CancellationToken cancellationToken)
        {
            Messages.Enqueue(message);
            return ValueTask.FromResult("whd_" + Messages.Count);
        }
    }
}
