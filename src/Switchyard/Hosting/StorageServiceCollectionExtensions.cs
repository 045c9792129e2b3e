using System.Runtime.CompilerServices;
using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Jobs;
using Switchyard.Keys;
using Switchyard.Ledger;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.S3;
using Switchyard.Storage.Sqlite;
using Switchyard.Telemetry;
using Switchyard.Webhooks;

namespace Switchyard.Hosting;

/// <summary>Registers the stores the config names: SQLite or PostgreSQL for the ledger and keys, a local folder or S3 for artifacts.</summary>
internal static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// Set to <c>1</c> in the environment to run without a ledger (writes are discarded, reads find nothing), or to
    /// <c>queue</c> to run the ledger's queue over a store that discards every batch.
    /// Only for <c>bench/ledger</c>, which measures what the ledger costs; deliberately not a config key.
    /// </summary>
    public const string BenchNoLedgerVariable = "SWITCHYARD_BENCH_NO_LEDGER";

    /// <summary>
    /// Registers the database (<see cref="SqliteDatabase"/> or <see cref="PostgresDatabase"/>), its ledger, key store, job store and
    /// webhook store under their own types (the webhook store also as <see cref="IWebhookDeliveryStore"/> and <see cref="IWebhookKeySecretStore"/>), <see cref="StorageBootstrap"/>, and as <see cref="ILedger"/> a <see cref="BufferedLedger"/>
    /// over the store's ledger, stored in batches in the background and flushed when the host stops.
    /// </summary>
    public static IServiceCollection AddSwitchyardStorage(this IServiceCollection services, SwitchyardConfig config)
    {
        // Each store in a method of its own: compiling this one then loads only the chosen store's assembly.
        var storeLedger = config.Storage.PostgresUrl is { } url ? AddPostgresStores(services, url) : AddSqliteStores(services, config);

        services.AddSingleton(new BufferedLedgerOptions());
        services.AddSingleton(sp =>
        {
            var ledger = new BufferedLedger(
                sp.GetService<IConfiguration>()?[BenchNoLedgerVariable] == "queue" ? new BenchNoLedger() : storeLedger(sp),
                sp.GetRequiredService<BufferedLedgerOptions>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<BufferedLedger>>());
            sp.GetService<SwitchyardTelemetry>()?.ObserveLedger(ledger);
            return ledger;
        });
        services.AddSingleton<ILedger>(sp => sp.GetService<IConfiguration>()?[BenchNoLedgerVariable] == "1"
            ? new BenchNoLedger()
            : sp.GetRequiredService<BufferedLedger>());
        services.AddHostedService<LedgerWriterService>();
        services.AddSingleton(sp => new WebhookSecrets(
            sp.GetRequiredService<IKeyStore>(),
            sp.GetRequiredService<IWebhookKeySecretStore>(),
            name => name == "alerts" ? config.Alerts.Webhook?.Secret.Reveal() : null,
            sp.GetRequiredService<TimeProvider>()));
        if (config.Storage.S3 is { } s3)
        {
            services.AddSingleton<IArtifactStore>(sp => new S3ArtifactStore(s3, sp.GetRequiredService<TimeProvider>()));
        }
        else
        {
            // The config loader accepts only file: and s3:// stores.
            var artifactFolder = Path.GetFullPath(config.Storage.ArtifactFolder!);
            services.AddSingleton<IArtifactStore>(sp => new FileArtifactStore(artifactFolder, sp.GetRequiredService<TimeProvider>()));
        }

        return services;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Func<IServiceProvider, ILedger> AddPostgresStores(IServiceCollection services, string url)
    {
        services.AddSingleton(sp => new PostgresDatabase(url, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => StorageBootstrap.For(sp.GetRequiredService<PostgresDatabase>()));
        services.AddSingleton<PostgresLedger>();
        services.AddSingleton<PostgresKeyStore>();
        services.AddSingleton<IKeyStore>(sp => new CachingKeyStore(sp.GetRequiredService<PostgresKeyStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<PostgresWebhookStore>();
        services.AddSingleton<IWebhookDeliveryStore>(sp => sp.GetRequiredService<PostgresWebhookStore>());
        services.AddSingleton<IWebhookKeySecretStore>(sp => sp.GetRequiredService<PostgresWebhookStore>());
        services.AddSingleton<IJobStore>(sp => new PostgresJobStore(sp.GetRequiredService<PostgresDatabase>()));
        return sp => sp.GetRequiredService<PostgresLedger>();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static Func<IServiceProvider, ILedger> AddSqliteStores(IServiceCollection services, SwitchyardConfig config)
    {
        // The config loader accepts only sqlite: and postgres URLs.
        var databasePath = Path.GetFullPath(config.Storage.SqlitePath!);
        services.AddSingleton(sp => new SqliteDatabase(databasePath, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => StorageBootstrap.For(sp.GetRequiredService<SqliteDatabase>()));
        services.AddSingleton<SqliteLedger>();
        services.AddSingleton<SqliteKeyStore>();
        services.AddSingleton<IKeyStore>(sp => new CachingKeyStore(sp.GetRequiredService<SqliteKeyStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<SqliteWebhookStore>();
        services.AddSingleton<IWebhookDeliveryStore>(sp => sp.GetRequiredService<SqliteWebhookStore>());
        services.AddSingleton<IWebhookKeySecretStore>(sp => sp.GetRequiredService<SqliteWebhookStore>());
        services.AddSingleton<IJobStore>(sp => new SqliteJobStore(sp.GetRequiredService<SqliteDatabase>()));
        return sp => sp.GetRequiredService<SqliteLedger>();
    }
}
