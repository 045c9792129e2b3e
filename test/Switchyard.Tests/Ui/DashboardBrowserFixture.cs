using System.Net.Http.Json;
using Microsoft.Playwright;
using Switchyard.Tests.Fixtures;
using Switchyard.Tests.EndToEnd;
using Switchyard.Tests.Webhooks;

namespace Switchyard.Tests.Ui;

/// <summary>
/// The real <c>switchyard</c> executable on 127.0.0.1 and Debian's headless Chromium driven by Playwright (never a
/// downloaded browser), with a fresh user data folder. Fails, with what to install, when <c>/usr/bin/chromium</c> is missing.
/// </summary>
public sealed class DashboardBrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    /// <summary>The signing secret of the alerts webhook (the Standard Webhooks test vector), given through <see cref="AlertSecretVariable"/>.</summary>
    public const string AlertSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    public const string AlertSecretVariable = "UI_TEST_ALERT_SECRET";

    /// <summary>
    /// The end-to-end config, plus a route without a placeholder (so runs can fail), an alert rule, and the alerts webhook
    /// posting to <c>{{WEBHOOK_URL}}</c> (the fixture's loopback receiver; 127.0.0.1 is allowed as an outbound target).
    /// </summary>
    public const string Config = GatewayProcess.DefaultConfig + """

          strict:
            modality: image
            chain:
              - { provider: sandbox-a, model: sandbox-image }
              - { provider: sandbox-b, model: sandbox-image }

        outbound:
          allow_private: ["127.0.0.1/32"]

        alerts:
          webhook:
            url: {{WEBHOOK_URL}}
            secret: ${UI_TEST_ALERT_SECRET}
          evaluate_every: 1s
          min_runs: 1
          rules:
            image-placeholder:
              kind: placeholder_share
              route: image
              above: 0.05
              window: 15m
              severity: critical
        """;

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"];

    public const string XssPrompt = "<script>alert('xss')</script> a broken lighthouse [fail:unavailable]";

    private readonly Lazy<Task<string>> _traffic;
    private readonly string _userData = Directory.CreateTempSubdirectory("switchyard-chromium-").FullName;
    private IPlaywright? _playwright;

    public DashboardBrowserFixture()
    {
        _traffic = new(SendTrafficAsync);
        Gateway = new(Config.Replace("{{WEBHOOK_URL}}", Receiver.Url.ToString(), StringComparison.Ordinal))
        {
            ExtraEnvironment = new Dictionary<string, string> { [AlertSecretVariable] = AlertSecret },
        };
    }

    public GatewayProcess Gateway { get; }

    /// <summary>Where the alerts webhook posts: it refuses the first delivery with 410 (so it fails at once) and accepts the rest.</summary>
    internal LoopbackReceiver Receiver { get; } = new(410);

    public IBrowserContext Browser { get; private set; } = null!;

    /// <summary>Where screenshots go: <c>screenshots/</c> next to the test assembly (kept as test artifacts).</summary>
    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async ValueTask InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"The dashboard's browser tests need Debian's Chromium at {ChromiumPath}, which is missing. Install it with 'apt-get install chromium' "
                + "(bash scripts/test.sh does this when run as root). Playwright's own browser downloads are never used.");
        }

        // The driver ships in the Microsoft.Playwright package; nothing is downloaded.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        await Gateway.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchPersistentContextAsync(_userData, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            ViewportSize = new ViewportSize { Width = 1360, Height = 900 },
            BaseURL = Gateway.BaseAddress.ToString(),
            Locale = "en-US",
            TimezoneId = "UTC",
        });
        Browser.SetDefaultTimeout(30_000);
    }

    /// <summary>Sandbox traffic for the charts, sent once: successes, fallbacks, placeholder answers and failures. Returns a run with a stored image.</summary>
    public Task<string> TrafficAsync() => _traffic.Value;

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Gateway.DisposeAsync();
        await Receiver.DisposeAsync();
        try
        {
            Directory.Delete(_userData, recursive: true);
        }
        catch (IOException)
        {
            // Chromium may still hold a lock file for a moment; the OS cleans temp.
        }
    }

    private async Task<string> SendTrafficAsync()
    {
        using var api = Gateway.CreateHttpClient(Gateway.AdminKey);
        var ct = CancellationToken.None;
        async Task<string> ImageAsync(string route, string prompt, bool url = false)
        {
            using var response = await api.PostAsJsonAsync("/v1/images/generations", url ? new { model = route, prompt, size = "256x256", response_format = "url" } : (object)new { model = route, prompt, size = "256x256" }, ct);
            return HttpAssert.RunId(response);
        }

        var imageRun = string.Empty;
        for (var i = 0; i < 6; i++)
        {
            imageRun = await ImageAsync("image", $"a lighthouse at dusk #{i}", url: true);
        }

        for (var i = 0; i < 3; i++)
        {
            await ImageAsync("image", $"a harbour #{i} [fail:unavailable@sandbox-a]");
            await ImageAsync("strict", $"a pier #{i} [fail:rate_limited@sandbox-a]");
        }

        await ImageAsync("image", "a storm [fail:unavailable]");
        await ImageAsync("strict", XssPrompt);
        await ImageAsync("strict", "a gale [fail:timeout]");
        for (var i = 0; i < 3; i++)
        {
            using var chat = await api.PostAsJsonAsync("/v1/chat/completions", new { model = "text", messages = new[] { new { role = "user", content = $"hello {i}" } } }, ct);
            Assert.True(chat.IsSuccessStatusCode, await chat.Content.ReadAsStringAsync(ct));
        }

        return imageRun;
    }
}
