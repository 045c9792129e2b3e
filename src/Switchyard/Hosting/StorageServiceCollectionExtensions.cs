using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Keys;
using Switchyard.Ledger;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Hosting;

/// <summary>Registers the stores the config names (SQLite and a local artifact folder in this build).</summary>
internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddSwitchyardStorage(this IServiceCollection services, SwitchyardConfig config)
    {
        // The config loader only accepts sqlite: and file: in this build.
        var databasePath = Path.GetFullPath(config.Storage.SqlitePath!);
        var artifactFolder = Path.GetFullPath(config.Storage.ArtifactFolder!);
        services.AddSingleton(sp => new SqliteDatabase(databasePath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<StorageBootstrap>();
        services.AddSingleton<ILedger, SqliteLedger>();
        services.AddSingleton<IKeyStore, SqliteKeyStore>();
        services.AddSingleton<IArtifactStore>(sp => new FileArtifactStore(artifactFolder, sp.GetRequiredService<TimeProvider>()));
        return services;
    }
}
