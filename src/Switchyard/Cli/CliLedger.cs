using System.Data.Common;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Keys;
using Switchyard.Ledger;
using Switchyard.Providers;
using Switchyard.Questions;

namespace Switchyard.Cli;

/// <summary>
/// The ledger opened straight from the config's database, without a running server, for the commands that
/// only read it (<c>runs</c>, <c>stats</c>): the stores come from the same registration as <c>serve</c>'s,
/// but nothing is migrated or created.
/// </summary>
internal sealed class CliLedger : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private CliLedger(ServiceProvider services, string database)
    {
        _services = services;
        Database = database;
        Questions = new LedgerQuestions(services.GetRequiredService<ILedger>());
        Keys = services.GetRequiredService<IKeyStore>();
        WebhookSecrets = services.GetRequiredService<Webhooks.WebhookSecrets>();
    }

    /// <summary>The database, as the config names it (for messages).</summary>
    public string Database { get; }

    public LedgerQuestions Questions { get; }

    public IKeyStore Keys { get; }

    /// <summary>The keys' webhook secrets (derived from a server secret in the database; never stored).</summary>
    public Webhooks.WebhookSecrets WebhookSecrets { get; }

    /// <summary>
    /// Loads the config (<paramref name="configPath"/>, else <c>SWITCHYARD_CONFIG</c>, else the embedded default, as
    /// <c>serve</c> does) and opens its database; null with the exit code after saying what is wrong.
    /// </summary>
    public static async Task<(CliLedger? Ledger, int ExitCode)> OpenAsync(string? configPath, CliEnvironment env)
    {
        var path = configPath ?? (env.Variable(GatewayHost.ConfigPathSetting) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        SwitchyardConfig config;
        try
        {
            config = ConfigSource.Load(path, ProviderCatalog.Factories, env.Variable);
        }
        catch (ConfigException ex)
        {
            await env.Error.WriteLineAsync(ex.Message);
            return (null, CliExitCodes.BadConfig);
        }

        var (ledger, problem) = Open(config, path, env.Time);
        if (ledger is null)
        {
            await env.Error.WriteLineAsync(problem);
            return (null, CliExitCodes.NotFound);
        }

        return (ledger, CliExitCodes.Ok);
    }

    /// <summary>Opens the database <paramref name="config"/> names, or says why there is none to open (the SQLite file is missing).</summary>
    public static (CliLedger? Ledger, string? Problem) Open(SwitchyardConfig config, string? path, TimeProvider time)
    {
        // Opening SQLite would create an empty file; a missing file means the gateway never ran with this config.
        if (config.Storage.SqlitePath is { } sqlitePath && !File.Exists(Path.GetFullPath(sqlitePath)))
        {
            return (null,
                $"No database at {Path.GetFullPath(sqlitePath)} (storage.database: {config.Storage.Database} in {path ?? "the embedded default config"}). "
                + "Run 'switchyard serve' with this config once to create it, or pass the config the gateway runs with: --config FILE.");
        }

        var services = new ServiceCollection();
        services.AddSingleton(time);
        services.AddSingleton(config);
        services.AddLogging();
        services.AddSwitchyardStorage(config);
        return (new CliLedger(services.BuildServiceProvider(), RedactedDatabase(config.Storage.Database)), null);
    }

    /// <summary>The schema version the database is at.</summary>
    public Task<int> GetSchemaVersionAsync(CancellationToken cancellationToken) =>
        _services.GetRequiredService<StorageBootstrap>().GetSchemaVersionAsync(cancellationToken);

    /// <summary>Runs <paramref name="question"/>, turning database failures (unreachable, old schema) into a message and exit code 1.</summary>
    public async Task<int> AskAsync(CliEnvironment env, Func<CliLedger, Task<int>> question)
    {
        try
        {
            return await question(this);
        }
        catch (DbException ex)
        {
            await env.Error.WriteLineAsync($"The database {Database} could not answer: {ex.Message}");
            await env.Error.WriteLineAsync("Check that it is reachable and migrated: 'switchyard serve' with the same config migrates it on start.");
            return CliExitCodes.NotFound;
        }
    }

    public ValueTask DisposeAsync() => _services.DisposeAsync();

    // postgres://user:password@host/db: the password never reaches the terminal.
    internal static string RedactedDatabase(string database) =>
        Uri.TryCreate(database, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal)
            ? database.Replace(uri.UserInfo, uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)] + ":***", StringComparison.Ordinal)
            : database;
}
