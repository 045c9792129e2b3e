using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Hosting;
using Switchyard.Providers;
using Switchyard.Redis;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.S3;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Diagnostics;

/// <summary>
/// Checks a config and its surroundings the way the gateway will meet them, and names for each
/// problem its cause and its fix: the config (every problem with its path), the secrets it
/// references, the database and its schema version, free disk, artifact storage, each provider
/// (readiness, and a zero-cost probe where the adapter has one) and each route (a usable tier).
/// </summary>
internal sealed class Doctor
{
    private const long LowDiskBytes = 1L << 30;
    private const long CriticalDiskBytes = 100L << 20;

    private readonly Func<string, string?> _environment;
    private readonly TimeProvider _time;
    private readonly TimeSpan _probeTimeout;

    public Doctor(Func<string, string?> environment, TimeProvider time, TimeSpan probeTimeout)
    {
        _environment = environment;
        _time = time;
        _probeTimeout = probeTimeout;
    }

    public async Task<IReadOnlyList<DoctorCheck>> RunAsync(string? configPath, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        SwitchyardConfig config;
        try
        {
            config = ConfigSource.Load(configPath, ProviderCatalog.Factories, _environment);
            checks.Add(DoctorCheck.Ok("config", configPath ?? "embedded default", "valid"));
        }
        catch (ConfigException ex)
        {
            foreach (var problem in ex.Problems)
            {
                checks.Add(DoctorCheck.Fail("config", problem.Path, problem.Message, $"fix {problem.Path} in {configPath ?? "the config"}"));
            }

            return checks;
        }

        CheckSecrets(config, checks);
        await CheckDatabaseAsync(config, checks, cancellationToken);
        await CheckArtifactsAsync(config, checks, cancellationToken);
        await CheckRedisAsync(config, checks, cancellationToken);
        var providers = await CheckProvidersAsync(config, checks, cancellationToken);
        CheckRoutes(config, providers, checks);
        return checks;
    }

    private static void CheckSecrets(SwitchyardConfig config, List<DoctorCheck> checks)
    {
        foreach (var provider in config.Providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            foreach (var missing in provider.MissingSecrets)
            {
                checks.Add(DoctorCheck.Fail("secret", missing, $"providers.{provider.Name} references ${{{missing}}}, which is not set or empty in this environment", $"set {missing} where switchyard runs (e.g. in its systemd unit or container env)"));
            }

            if (provider.ApiKey is { IsPresent: true, Variable: { } variable } key)
            {
                checks.Add(DoctorCheck.Ok("secret", variable, $"set ({Redacted(key.Reveal()!)})"));
            }
        }

        // A missing alert webhook secret does not stop start-up: the rules still run, only their webhooks are off.
        foreach (var missing in config.Alerts.MissingSecrets)
        {
            checks.Add(DoctorCheck.Warn("secret", missing, $"alerts.webhook references ${{{missing}}}, which is not set or empty; alert webhooks are off", $"set {missing} to whsec_ followed by base64 where switchyard runs"));
        }
    }

    private async Task CheckDatabaseAsync(SwitchyardConfig config, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        if (config.Storage.SqlitePath is not { } relative)
        {
            await CheckPostgresAsync(config, checks, cancellationToken);
            return;
        }

        var path = Path.GetFullPath(relative);
        var folder = Path.GetDirectoryName(path)!;
        if (!File.Exists(path))
        {
            checks.Add(Writable(folder) is { } why
                ? DoctorCheck.Fail("database", path, $"no database yet, and its folder cannot be written: {why}", $"make {folder} writable for the user switchyard runs as, or point storage.database elsewhere")
                : DoctorCheck.Warn("database", path, "no database yet; it is created on the first start", "start switchyard serve once"));
        }
        else
        {
            try
            {
                using var database = new SqliteDatabase(path, TimeProvider.System);
                var version = await database.GetSchemaVersionAsync(cancellationToken);
                checks.Add(version == SqliteDatabase.CurrentSchemaVersion
                    ? DoctorCheck.Ok("database", path, $"reachable, schema version {version} (current)")
                    : version < SqliteDatabase.CurrentSchemaVersion
                        ? DoctorCheck.Warn("database", path, $"schema version {version}, this build expects {SqliteDatabase.CurrentSchemaVersion}", "it is migrated at the next start, or run switchyard migrate")
                        : DoctorCheck.Fail("database", path, $"schema version {version} is newer than this build's {SqliteDatabase.CurrentSchemaVersion}", "run the switchyard version that wrote it"));
                if (Writable(folder) is { } why)
                {
                    checks.Add(DoctorCheck.Fail("database", path, $"the database folder cannot be written: {why}", $"make {folder} writable for the user switchyard runs as"));
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                checks.Add(DoctorCheck.Fail("database", path, $"cannot be read: {ex.Message}", "check the file's permissions and that it is a Switchyard SQLite database"));
            }
        }

        CheckDisk(folder, checks);
    }

    private async Task CheckPostgresAsync(SwitchyardConfig config, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        PostgresDatabase database;
        try
        {
            database = new PostgresDatabase(config.Storage.Database, TimeProvider.System);
        }
        catch (ArgumentException ex)
        {
            checks.Add(DoctorCheck.Fail("database", "storage.database", ex.Message, "write storage.database as postgres://user:${PASSWORD_VAR}@host:port/database"));
            return;
        }

        await using (database)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_probeTimeout);
            try
            {
                var version = await database.GetSchemaVersionAsync(timeout.Token);
                checks.Add(version == PostgresDatabase.CurrentSchemaVersion
                    ? DoctorCheck.Ok("database", database.Description, $"reachable, schema version {version} (current)")
                    : version < PostgresDatabase.CurrentSchemaVersion
                        ? DoctorCheck.Warn("database", database.Description, $"schema version {version}, this build expects {PostgresDatabase.CurrentSchemaVersion}", "it is migrated at the next start, or run switchyard migrate")
                        : DoctorCheck.Fail("database", database.Description, $"schema version {version} is newer than this build's {PostgresDatabase.CurrentSchemaVersion}", "run the switchyard version that wrote it"));
                var others = await database.CountOtherNodesAsync(timeout.Token);
                if (others > 1 && config.Storage.Redis.Length == 0)
                {
                    checks.Add(DoctorCheck.Warn("redis", "storage.redis", $"{others} switchyard nodes share this database without Redis: each keeps its own rate limits and circuits, so a limit of N per minute allows N per node", "set storage.redis to a Redis URL shared by every node"));
                }
            }
            catch (Exception ex) when (ex is System.Data.Common.DbException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                var reason = ex is OperationCanceledException ? $"no answer within {Duration.Format(_probeTimeout)}" : ex.Message;
                checks.Add(DoctorCheck.Fail("database", database.Description, $"cannot be reached: {reason}", "start PostgreSQL or fix storage.database (host, port, user, password, database name)"));
            }
        }
    }

    private static void CheckDisk(string folder, List<DoctorCheck> checks)
    {
        var existing = folder;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        var free = new DriveInfo(existing).AvailableFreeSpace;
        var text = $"{free / (1 << 20):N0} MiB free at {existing}";
        checks.Add(free < CriticalDiskBytes ? DoctorCheck.Fail("disk", existing, text, "free disk space; the ledger and artifacts stop being written when it runs out")
            : free < LowDiskBytes ? DoctorCheck.Warn("disk", existing, text, "free disk space or shorten storage.retention")
            : DoctorCheck.Ok("disk", existing, text));
    }

    private async Task CheckRedisAsync(SwitchyardConfig config, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        if (config.Storage.Redis.Length == 0)
        {
            return; // several nodes without Redis are warned about by the PostgreSQL check, which counts them
        }

        var subject = RedisUrl.Redact(config.Storage.Redis);
        var probe = await RedisProbe.RunAsync(config.Storage.Redis, _probeTimeout, cancellationToken);
        checks.Add(probe.Ok
            ? DoctorCheck.Ok("redis", subject, probe.Detail)
            : DoctorCheck.Fail("redis", subject, $"cannot be reached: {probe.Detail}", "start Redis or fix storage.redis; until then each node keeps its own rate limits and circuits"));
    }

    private async Task CheckArtifactsAsync(SwitchyardConfig config, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        if (config.Storage.S3 is { } s3)
        {
            using var store = new S3ArtifactStore(s3, _time);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_probeTimeout);
            ArtifactStoreCheck result;
            try
            {
                result = await store.CheckAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = new ArtifactStoreCheck(false, $"{store.Description}: no answer within {Duration.Format(_probeTimeout)}", "check storage.s3.endpoint and that the network reaches it");
            }

            checks.Add(result.Ok ? DoctorCheck.Ok("artifacts", s3.Display, result.Cause) : DoctorCheck.Fail("artifacts", s3.Display, result.Cause, result.Fix!));
            return;
        }

        if (config.Storage.ArtifactFolder is not { } relative)
        {
            return;
        }

        var folder = Path.GetFullPath(relative);
        checks.Add(Writable(folder) is { } why
            ? DoctorCheck.Fail("artifacts", folder, $"cannot be written: {why}", $"make {folder} writable for the user switchyard runs as, or point storage.artifacts elsewhere")
            : DoctorCheck.Ok("artifacts", folder, "writable"));
    }

    private async Task<Dictionary<string, bool>> CheckProvidersAsync(SwitchyardConfig config, List<DoctorCheck> checks, CancellationToken cancellationToken)
    {
        var services = new ServiceCollection()
            .AddSingleton(_time)
            .AddSingleton(config)
            .AddSingleton<Microsoft.Extensions.Logging.ILoggerFactory>(NullLoggerFactory.Instance)
            .BuildServiceProvider();
        var usable = new Dictionary<string, bool>(StringComparer.Ordinal);
        var factories = ProviderCatalog.Factories.ToDictionary(f => f.Type, StringComparer.Ordinal);
        foreach (var config1 in config.Providers.Values.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            var provider = factories[config1.Type].Create(config1, services);
            var (providerChecks, ok) = await CheckProviderAsync(config, config1, provider, _probeTimeout, cancellationToken);
            checks.AddRange(providerChecks);
            usable[provider.Name] = ok;
        }

        return usable;
    }

    /// <summary>
    /// One provider's checks: its secrets, its readiness, and its zero-cost probe (bounded by <paramref name="probeTimeout"/>)
    /// with the route models it does not list; also whether it is usable. Shared by <c>doctor</c> and the dashboard.
    /// </summary>
    public static async Task<(IReadOnlyList<DoctorCheck> Checks, bool Usable)> CheckProviderAsync(
        SwitchyardConfig config, ProviderConfig providerConfig, IGenerationProvider provider, TimeSpan probeTimeout, CancellationToken cancellationToken)
    {
        var checks = new List<DoctorCheck>();
        var subject = $"{provider.Name} ({provider.Type})";
        if (providerConfig.MissingSecrets.Count > 0)
        {
            checks.Add(DoctorCheck.Fail("provider", subject, $"misconfigured: missing {string.Join(", ", providerConfig.MissingSecrets)}; its attempts are skipped", $"set {string.Join(", ", providerConfig.MissingSecrets)}"));
            return (checks, false);
        }

        if (!provider.Readiness.IsReady)
        {
            checks.Add(DoctorCheck.Fail("provider", subject, $"misconfigured: {provider.Readiness.Problem}; its attempts are skipped", "complete its settings under providers." + provider.Name));
            return (checks, false);
        }

        if (provider is IProviderProbe probe)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(probeTimeout);
            ProbeResult result;
            try
            {
                result = await probe.ProbeAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                result = new ProbeResult(false, $"no answer within {Duration.Format(probeTimeout)}", "check base_url and that the network reaches it");
            }

            checks.Add(result.Ok ? DoctorCheck.Ok("provider", subject, result.Detail) : DoctorCheck.Fail("provider", subject, result.Detail, result.Fix ?? "check its base_url and api_key"));
            CheckModels(config, provider, result.ServedModels, checks);
            return (checks, result.Ok);
        }

        checks.Add(DoctorCheck.Ok("provider", subject, provider.Type is "sandbox" or "placeholder" ? "offline provider, always available" : "configured (this adapter has no probe)"));
        return (checks, true);
    }

    private static void CheckModels(SwitchyardConfig config, IGenerationProvider provider, IReadOnlyList<string>? served, List<DoctorCheck> checks)
    {
        if (served is null)
        {
            return;
        }

        foreach (var route in config.Routes.Values)
        {
            foreach (var step in route.Chain.Where(s => s.Provider == provider.Name && s.Model is not null))
            {
                if (!served.Contains(step.Model!, StringComparer.Ordinal))
                {
                    checks.Add(DoctorCheck.Fail("provider", $"{provider.Name}/{step.Model}", $"route '{route.Name}' names model '{step.Model}', which {provider.Name} does not list", $"use one of its models in routes.{route.Name}.chain, e.g. {string.Join(", ", served.Take(5))}"));
                }
            }
        }
    }

    private static void CheckRoutes(SwitchyardConfig config, Dictionary<string, bool> usable, List<DoctorCheck> checks)
    {
        foreach (var route in config.Routes.Values.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var usableTiers = route.Chain.Where(s => usable.GetValueOrDefault(s.Provider)).ToList();
            var types = usableTiers.Select(s => config.Providers[s.Provider].Type).ToList();
            if (usableTiers.Count == 0)
            {
                checks.Add(DoctorCheck.Fail("route", route.Name, "no usable tier: every provider of its chain is misconfigured or unreachable; its requests fail", "fix the providers above, or add a placeholder tier"));
            }
            else if (types.All(t => t == "placeholder"))
            {
                checks.Add(DoctorCheck.Warn("route", route.Name, "only the placeholder is usable: every request is served degraded", "fix the providers above"));
            }
            else
            {
                checks.Add(DoctorCheck.Ok("route", route.Name, $"{route.Modality.ToWire()}: {usableTiers.Count} of {route.Chain.Count} tiers usable ({string.Join(", ", usableTiers.Select(s => s.Display))})"));
            }
        }
    }

    private static string? Writable(string folder)
    {
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".doctor-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return ex.Message;
        }
    }

    // Never any part of the secret: its length tells a truncated or empty paste from a real key.
    private static string Redacted(string secret) => $"{secret.Length} characters, value hidden";
}
