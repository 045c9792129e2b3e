using System.CommandLine;
using Switchyard.Configuration;
using Switchyard.Hosting;
using Switchyard.Providers;

namespace Switchyard.Cli;

/// <summary><c>switchyard migrate [--config FILE]</c>: applies the schema migrations the gateway would apply at start-up, then exits.</summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config") { Description = "The config file (switchyard.yaml) whose storage.database to migrate. Without it the embedded default's (sqlite:data/switchyard.db)." };
        var command = new Command("migrate", "Apply the database schema migrations and print the schema version.") { config };
        command.SetAction((result, cancellationToken) => MigrateAsync(result.GetValue(config), Console.Out, Console.Error, cancellationToken));
        return command;
    }

    /// <summary>Runs the command; returns 0 when migrated, 1 when the database failed, 2 when the config is invalid.</summary>
    public static async Task<int> MigrateAsync(string? configPath, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        SwitchyardConfig config;
        try
        {
            configPath ??= Environment.GetEnvironmentVariable(GatewayHost.ConfigPathSetting) is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
            config = ConfigSource.Load(configPath, ProviderCatalog.Factories, Environment.GetEnvironmentVariable);
        }
        catch (ConfigException ex)
        {
            await error.WriteLineAsync(ex.Message);
            await error.WriteLineAsync("switchyard migrate: fix the problems above (each names its place in the config).");
            return 2;
        }

        // The same registrations as serve, so migrate opens exactly the database the gateway would.
        var services = new ServiceCollection();
        services.AddSingleton(TimeProvider.System);
        services.AddLogging();
        services.AddSwitchyardStorage(config);
        await using var provider = services.BuildServiceProvider();
        var storage = provider.GetRequiredService<StorageBootstrap>();
        try
        {
            await storage.InitializeAsync(cancellationToken);
            var version = await storage.GetSchemaVersionAsync(cancellationToken);
            await output.WriteLineAsync($"schema version {version} (database: {storage.Description})");
            return 0;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Description and the driver's messages name host, port and database, never the password.
            await error.WriteLineAsync($"switchyard migrate: the database {storage.Description} could not be migrated: {ex.Message}");
            return 1;
        }
    }
}
