using Microsoft.Extensions.Logging;
using Switchyard.Configuration;
using Switchyard.Outbound;
using Switchyard.Storage.Sqlite;
using Switchyard.Telemetry;
using Switchyard.Webhooks;
using Switchyard.Tests.Common.Time;

namespace Switchyard.Tests.Webhooks;

/// <summary>
/// The webhook outbox and dispatcher over a real SQLite file in a temporary folder, on a watched fake clock,
/// posting to 127.0.0.1 through the real SSRF-guarded client. <see cref="RestartAsync"/> reopens everything on the same file.
/// </summary>
internal sealed class WebhookHarness : IAsyncDisposable
{
    public const string AlertSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private readonly List<IDisposable> _owned = [];
    private SqliteDatabase _database = null!;

    private WebhookHarness(WebhooksConfig options, IReadOnlyList<string> allowPrivate)
    {
        Options = options;
        AllowPrivate = allowPrivate;
        Folder = Directory.CreateTempSubdirectory("switchyard-webhooks-").FullName;
    }

    public string Folder { get; }

    public string DatabasePath => Path.Combine(Folder, "switchyard.db");

    public WatchedTimeProvider Time { get; } = new();

    public WebhooksConfig Options { get; }

    public IReadOnlyList<string> AllowPrivate { get; }

    /// <summary>The config secrets by name (<c>alerts</c>); change it to test a missing one.</summary>
    public Dictionary<string, string> ConfigSecrets { get; } = new(StringComparer.Ordinal) { ["alerts"] = AlertSecret };

    public CapturingLogger<WebhookDispatcher> Logs { get; } = new();

    public SqliteKeyStore Keys { get; private set; } = null!;

    public SqliteWebhookStore Store { get; private set; } = null!;

    public WebhookSecrets Secrets { get; private set; } = null!;

    public WebhookOutbox Outbox { get; private set; } = null!;

    public WebhookDispatcher Dispatcher { get; private set; } = null!;

    public SwitchyardTelemetry Telemetry { get; private set; } = null!;

    public static async Task<WebhookHarness> StartAsync(WebhooksConfig? options = null, IReadOnlyList<string>? allowPrivate = null)
    {
        var harness = new WebhookHarness(options ?? new WebhooksConfig(), allowPrivate ?? ["127.0.0.1/32"]);
        await harness.OpenAsync();
        return harness;
    }

    /// <summary>Drops every object over the database and opens new ones on the same file, as a restarted process would.</summary>
    public async Task RestartAsync()
    {
        DisposeOwned();
        await OpenAsync();
    }

    public async ValueTask DisposeAsync()
    {
        DisposeOwned();
        await Task.Yield();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans temp.
        }
    }

    private async Task OpenAsync()
    {
        _database = await SqliteStorage.OpenAsync(DatabasePath, Time, TestContext.Current.CancellationToken);
        _owned.Add(_database);
        Keys = new SqliteKeyStore(_database);
        Store = new SqliteWebhookStore(_database);
        Secrets = new WebhookSecrets(Keys, Store, name => ConfigSecrets.GetValueOrDefault(name), Time);
        Telemetry = new SwitchyardTelemetry();
        _owned.Add(Telemetry);
        var client = new OutboundClient(new OutboundConfig { AllowPrivate = AllowPrivate }, Options.Timeout + TimeSpan.FromSeconds(20));
        _owned.Add(client);
        Dispatcher = new WebhookDispatcher(Store, Secrets, client, Options, Time, Telemetry, Logs, new MiddleRandom());
        Outbox = new WebhookOutbox(Store, Secrets, Time, Dispatcher.Notify);
    }

    private void DisposeOwned()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        _owned.Clear();
    }

    /// <summary>Jitter at its middle, so the schedule's waits are exact (the jitter itself is tested on its own).</summary>
    private sealed class MiddleRandom : Random
    {
        public override double NextDouble() => 0.5;
    }
}

/// <summary>A logger that keeps every formatted message.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_messages)
        {
            _messages.Add($"{logLevel} {eventId.Name}: {formatter(state, exception)} {exception}");
        }
    }
}
