using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Cli;
using Switchyard.Keys;
using Switchyard.Tests.Common.Emulators;
using Switchyard.Tests.Fixtures;

namespace Switchyard.Tests.Keys;

/// <summary>
/// Known secrets are planted (a provider key through ${ENV}, the admin key, client keys, the alert webhook secret)
/// and every output a test can reach is scanned for them: each endpoint's answers (errors included) for every
/// kind of caller, /metrics, every log line of every level, the ledger's SQLite file bytes and the CLI's key list.
/// </summary>
public sealed class SecretsTests
{
    private const string ProviderKey = "sk-proj-PLANTEDproviderKey0123456789abcdefghijXYZ";

    private static readonly string WebhookSecret = "whsec_" + Convert.ToBase64String(Encoding.ASCII.GetBytes("PLANTED-webhook-secret-32-bytes!"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PlantedSecrets_AppearInNoResponseLogLedgerOrMetrics()
    {
        await using var upstream = await OpenAIEmulator.StartAsync(Ct);
        upstream.RequiredKey = ProviderKey;
        var logs = new CapturedLogs();
        var yaml = GatewayFactory.DefaultYaml.Replace("providers:\n", $$"""
            providers:
              upstream:
                type: openai
                base_url: {{upstream.BaseUrl}}
                api_key: ${SY_PLANTED_OPENAI_KEY}
                retry: { max_attempts: 1 }

            """, StringComparison.Ordinal).Replace("routes:\n", """
            routes:
              secret-text:
                modality: text
                chain:
                  - { provider: upstream, model: gpt-4o-mini }
                  - { provider: placeholder }

            """, StringComparison.Ordinal) + """

            alerts:
              webhook: { url: "http://127.0.0.1:9/hook", secret: "${SY_PLANTED_WEBHOOK}" }
              evaluate_every: 1h
              rules:
                text-success:
                  kind: success_rate
                  route: text
                  below: 0.9
                  window: 5m
            """;
        using var factory = new GatewayFactory(yaml)
        {
            Settings = new Dictionary<string, string> { ["SY_PLANTED_OPENAI_KEY"] = ProviderKey, ["SY_PLANTED_WEBHOOK"] = WebhookSecret },
            Logs = logs,
        };
        using var admin = factory.CreateClientWithKey();
        var now = factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var (clientKey, clientRecord) = ApiKeys.Create("tenant", isAdmin: false, now);
        await factory.Services.GetRequiredService<IKeyStore>().AddAsync(clientRecord with { Limits = new KeyLimits { RequestsPerMinute = 3 } }, Ct);
        using var client = factory.CreateClientWithKey(clientKey);
        var secrets = new Dictionary<string, string>
        {
            ["provider api_key"] = ProviderKey,
            ["webhook secret"] = WebhookSecret,
            ["webhook secret (base64 part)"] = WebhookSecret["whsec_".Length..],
            ["admin key"] = GatewayFactory.AdminKey,
            ["admin key (secret part)"] = GatewayFactory.AdminKey[16..],
            ["client key"] = clientKey,
            ["client key (secret part)"] = clientKey[16..],
        };
        var outputs = new List<(string What, string Text)>();

        async Task Collect(string what, Task<HttpResponseMessage> call)
        {
            using var response = await call;
            var headers = string.Join("\n", response.Headers.Concat(response.Content.Headers).Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
            outputs.Add(($"{what} -> {(int)response.StatusCode}", headers + "\n" + await response.Content.ReadAsStringAsync(Ct)));
        }

        // The upstream answers a hostile 401 that echoes the key it was sent, then a 500 with the header; then it serves.
        upstream.Enqueue(new ScriptedResponse(401, "{\"error\":{\"message\":\"Incorrect API key provided: " + ProviderKey + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}"));
        await Collect("chat upstream 401", client.PostAsJsonAsync("/v1/chat/completions", new { model = "secret-text", messages = new[] { new { role = "user", content = "hi" } } }, Ct));
        upstream.Enqueue(new ScriptedResponse(500, $"upstream failed; request had Authorization: Bearer {ProviderKey}", "text/plain"));
        await Collect("chat upstream 500", admin.PostAsJsonAsync("/v1/chat/completions", new { model = "upstream/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } }, Ct));
        await Collect("chat upstream ok", admin.PostAsJsonAsync("/v1/chat/completions", new { model = "upstream/gpt-4o-mini", messages = new[] { new { role = "user", content = "hi" } } }, Ct));

        // Every endpoint of the isolation matrix, for every kind of caller, and keys that almost match.
        var world = new PlantedWorld(factory, clientKey);
        foreach (var entry in IsolationMatrixTests.Entries)
        {
            foreach (var (caller, authorization) in new (string, string?)[]
            {
                ("no key", null), ("admin", "Bearer " + GatewayFactory.AdminKey), ("client", "Bearer " + clientKey),
                ("admin key + x", "Bearer " + GatewayFactory.AdminKey + "x"), ("client key reversed", "Bearer " + new string(clientKey.Reverse().ToArray())),
                ("provider key", "Bearer " + ProviderKey), ("webhook secret", "Bearer " + WebhookSecret),
            })
            {
                using var request = new HttpRequestMessage(new HttpMethod(entry.Method == "*" ? "GET" : entry.Method), entry.Path(world)) { Content = entry.Body?.Invoke(world) };
                if (authorization is not null)
                {
                    request.Headers.TryAddWithoutValidation("Authorization", authorization);
                }

                using var raw = factory.CreateClient();
                await Collect($"{entry} as {caller}", raw.SendAsync(request, Ct));
            }
        }

        // Refusals: the rate limit (3 rpm is used up by now), bad fields, unknown models.
        await Collect("rate limited", client.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = "hi" } } }, Ct));
        await Collect("bad field", admin.PostAsJsonAsync("/v1/images/generations", new { model = "image", prompt = 5 }, Ct));
        await Collect("unknown model", admin.PostAsJsonAsync("/v1/images/generations", new { model = "nope", prompt = "x" }, Ct));

        // Every run as the admin sees it, and the stats by every grouping.
        using (var list = await admin.GetAsync("/v1/runs?limit=500", Ct))
        {
            var text = await list.Content.ReadAsStringAsync(Ct);
            outputs.Add(("runs list", text));
            foreach (var run in JsonDocument.Parse(text).RootElement.GetProperty("data").EnumerateArray())
            {
                await Collect("run " + run.GetProperty("id").GetString(), admin.GetAsync("/v1/runs/" + run.GetProperty("id").GetString(), Ct));
            }
        }

        foreach (var by in new[] { "provider", "model", "route", "preset", "key", "error" })
        {
            await Collect("stats by " + by, admin.GetAsync("/v1/stats?by=" + by, Ct));
        }

        await Collect("metrics", admin.GetAsync("/metrics", Ct));

        // The dashboard, signed in as the admin: every page and its fragments.
        using (var dashboard = Switchyard.Tests.Ui.DashboardClient.For(factory))
        {
            using var login = await dashboard.LoginAsync(GatewayFactory.AdminKey);
            foreach (var page in new[] { "/ui", "/ui/overview/live", "/ui/runs", "/ui/jobs", "/ui/webhooks", "/ui/providers", "/ui/alerts", "/ui/keys" })
            {
                outputs.Add(("dashboard " + page, await dashboard.GetPageAsync(page)));
            }

            outputs.Add(("dashboard run", await dashboard.GetPageAsync("/ui/runs/" + world.RunB)));
            outputs.Add(("dashboard job", await dashboard.GetPageAsync("/ui/jobs/" + world.JobB)));
            outputs.Add(("dashboard delivery", await dashboard.GetPageAsync("/ui/webhooks/" + world.DeliveryB)));
        }

        // The CLI's key list reads the same database.
        using (var output = new StringWriter())
        using (var error = new StringWriter())
        {
            var env = new CliEnvironment(CliEnvironment.PlainConsole(output), output, error, TimeProvider.System, static _ => null);
            await SwitchyardCommand.Create(env).Parse(["keys", "list", "--config", factory.ConfigPath, "--json"]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error }, Ct);
            await SwitchyardCommand.Create(env).Parse(["keys", "list", "--config", factory.ConfigPath]).InvokeAsync(new System.CommandLine.InvocationConfiguration { Output = output, Error = error }, Ct);
            outputs.Add(("keys list", output + "\n" + error));
        }

        // The ledger's bytes on disk (the list above waited for the queued writes), WAL included.
        foreach (var file in Directory.GetFiles(factory.Folder, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".yaml", StringComparison.Ordinal)))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var memory = new MemoryStream();
            await stream.CopyToAsync(memory, Ct);
            outputs.Add(("file " + Path.GetFileName(file), Encoding.Latin1.GetString(memory.ToArray())));
        }

        outputs.AddRange(logs.Entries.Select(e => ("log", e)));

        // The hostile upstream answers did reach the ledger (redacted), so the scan below looks at real text.
        Assert.Contains(outputs, o => o.What.StartsWith("run ", StringComparison.Ordinal) && o.Text.Contains("Incorrect API key provided", StringComparison.Ordinal));
        Assert.Contains(outputs, o => o.What == "file switchyard.db");
        Assert.True(logs.Entries.Count(e => e.StartsWith("Debug", StringComparison.Ordinal) || e.StartsWith("Trace", StringComparison.Ordinal)) > 20, $"only {logs.Entries.Count} log entries were captured");
        Assert.Contains(outputs, o => o.What.StartsWith("metrics -> 200", StringComparison.Ordinal));
        Assert.Contains(upstream.Requests, r => r.Header("authorization") == "Bearer " + ProviderKey);
        var leaks = (from output in outputs
                     from secret in secrets
                     where output.Text.Contains(secret.Value, StringComparison.Ordinal)
                     select $"{secret.Key} in {output.What}: …{Around(output.Text, secret.Value)}…").ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} leaks in {outputs.Count} outputs:\n{string.Join("\n", leaks.Take(20))}");
    }

    private static string Around(string text, string secret)
    {
        var at = text.IndexOf(secret, StringComparison.Ordinal);
        return text.Substring(Math.Max(0, at - 80), Math.Min(text.Length - Math.Max(0, at - 80), 160 + secret.Length));
    }

    // The matrix's requests, with this test's gateway: its client key owns nothing, so resource ids are made up.
    private sealed class PlantedWorld(GatewayFactory factory, string key) : KeyWorld(factory)
    {
        public override ValueTask InitializeAsync() => ValueTask.CompletedTask;

        public string Key => key;
    }
}
