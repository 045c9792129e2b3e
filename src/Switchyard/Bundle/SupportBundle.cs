using System.Data.Common;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Switchyard.Cli;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Generation;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Ledger;
using Switchyard.Providers;
using Switchyard.Questions;
using Switchyard.Storage.Postgres;
using Switchyard.Storage.Sqlite;

namespace Switchyard.Bundle;

/// <summary>What <c>switchyard bundle</c> was asked for.</summary>
/// <param name="ConfigPath">The config file, or null for <c>SWITCHYARD_CONFIG</c> or the embedded default.</param>
/// <param name="ServerUrl">The running gateway to read alerts from; null: the config's <c>server.urls</c>.</param>
/// <param name="AdminKey">An admin key for <c>GET /v1/alerts</c>; null: <c>SWITCHYARD_ADMIN_KEY</c>.</param>
/// <param name="ProbeTimeout">How long doctor waits for each provider's probe.</param>
internal sealed record BundleOptions(string? ConfigPath, Uri? ServerUrl, string? AdminKey, TimeSpan ProbeTimeout);

/// <summary>
/// Collects a support bundle: versions, the redacted effective config, doctor's checks, 24 hours of stats, the last
/// failed or degraded runs with their attempts, and the server's alerts when it can be reached. It reads the database
/// directly, so it works with the server down, and it never fails for a part it cannot collect: the manifest says what
/// is missing and why. No secret reaches the zip: every entry passes through a <see cref="SecretScrubber"/> that knows
/// the config's secret values and those of secret-named environment variables.
/// </summary>
internal sealed class SupportBundle
{
    /// <summary>How many failed or degraded runs the bundle carries, newest first.</summary>
    public const int RunLimit = 200;

    private static readonly TimeSpan AlertsTimeout = TimeSpan.FromSeconds(10);

    private readonly CliEnvironment _env;
    private readonly BundleOptions _options;
    private readonly SecretScrubber _scrubber = new();
    private readonly List<(string Name, string Description, string Text)> _entries = [];
    private readonly List<BundleSection> _sections = [];

    public SupportBundle(CliEnvironment env, BundleOptions options)
    {
        _env = env;
        _options = options;
    }

    /// <summary>The running build's version.</summary>
    public static string Version =>
        typeof(SupportBundle).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    /// <summary>Collects everything and writes the zip to <paramref name="output"/> (replacing it whole, never half-written).</summary>
    public async Task<BundleResult> WriteAsync(string output, CancellationToken cancellationToken)
    {
        var now = _env.Time.GetUtcNow();
        var path = _options.ConfigPath ?? (_env.Variable(GatewayHost.ConfigPathSetting) is { Length: > 0 } fromEnvironment ? fromEnvironment : null);
        LearnEnvironmentSecrets();

        var config = CollectConfig(path);
        await CollectDoctorAsync(path, cancellationToken);
        var (database, schema) = config is null ? (null, (int?)null) : await CollectLedgerAsync(config, path, now, cancellationToken);
        Add("versions.json", "Switchyard, .NET and OS versions; the database and its schema version", JsonSerializer.Serialize(
            new BundleVersions(
                Version,
                RuntimeInformation.FrameworkDescription,
                RuntimeInformation.OSDescription,
                RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant(),
                RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant(),
                Environment.ProcessorCount,
                database,
                schema,
                config is null ? null : config.Storage.PostgresUrl is null ? SqliteDatabase.CurrentSchemaVersion : PostgresDatabase.CurrentSchemaVersion),
            BundleJsonContext.Readable.BundleVersions));
        await CollectAlertsAsync(config, cancellationToken);
        return await WriteZipAsync(output, now, path, cancellationToken);
    }

    // Values of variables named like credentials are masked wherever they appear, referenced by the config or not.
    private void LearnEnvironmentSecrets()
    {
        foreach (var (name, value) in _env.AllVariables())
        {
            // Only values long enough to be credentials: a short flag (MY_KEY_ENABLED=on) would mask words everywhere.
            if (SecretScrubber.LooksSecret(name))
            {
                _scrubber.Add(value, minimumLength: 8);
            }
        }

        _scrubber.Add(_options.AdminKey);
        _scrubber.Add(_env.Variable(GatewayInitializer.AdminKeyVariable));
    }

    private SwitchyardConfig? CollectConfig(string? path)
    {
        IConfigurationRoot? root = null;
        IReadOnlyList<ConfigProblem> problems = [];
        SwitchyardConfig? config = null;
        try
        {
            root = ConfigSource.Read(path);
            config = ConfigSource.Load(path, ProviderCatalog.Factories, _env.Variable);
        }
        catch (ConfigException ex)
        {
            problems = ex.Problems;
        }

        if (config is not null)
        {
            LearnConfigSecrets(config);
        }

        var text = Encoding.UTF8.GetString(RedactedConfig.Write(path, root, ConfigSource.ReadOverrides(), problems, _env.Variable, _scrubber));
        Add("config.json", "The effective config (file and SWITCHYARD__ overrides) with secrets masked; problems when invalid", text);
        _sections.Add(new BundleSection("config", true, config is null
            ? $"invalid: {problems.Count} problem{(problems.Count == 1 ? "" : "s")}; the ledger parts could not be collected"
            : $"valid ({path ?? "embedded default"})"));
        return config;
    }

    private void LearnConfigSecrets(SwitchyardConfig config)
    {
        _scrubber.AddUrlPassword(config.Storage.Database);
        _scrubber.AddUrlPassword(config.Storage.Redis);
        foreach (var provider in config.Providers.Values)
        {
            _scrubber.Add(provider.ApiKey?.Reveal());
            _scrubber.AddUrlPassword(provider.BaseUrl);
            foreach (var (key, value) in provider.Settings)
            {
                if (SecretScrubber.LooksSecret(key.Split(':')[^1]))
                {
                    _scrubber.Add(value);
                }
            }
        }

        _scrubber.Add(config.Alerts.Webhook?.Secret.Reveal());
        _scrubber.Add(config.Storage.S3?.AccessKey?.Reveal());
        _scrubber.Add(config.Storage.S3?.SecretKey?.Reveal());
    }

    private async Task CollectDoctorAsync(string? path, CancellationToken cancellationToken)
    {
        var checks = await new Doctor(_env.Variable, _env.Time, _options.ProbeTimeout).RunAsync(path, cancellationToken);
        var failed = checks.Count(static c => c.Status == CheckStatus.Fail);
        Add("doctor.json", "switchyard doctor --json: every check with its cause and fix", JsonSerializer.Serialize(new DoctorReport(failed == 0, checks), DoctorJsonContext.Default.DoctorReport));
        _sections.Add(new BundleSection("doctor", true, $"{checks.Count} checks, {failed} failed, {checks.Count(static c => c.Status == CheckStatus.Warn)} warned"));
    }

    private async Task<(string? Database, int? Schema)> CollectLedgerAsync(SwitchyardConfig config, string? path, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var database = CliLedger.RedactedDatabase(config.Storage.Database);
        var (ledger, problem) = CliLedger.Open(config, path, _env.Time);
        if (ledger is null)
        {
            Unavailable(["database", "runs", "stats"], problem!);
            return (database, null);
        }

        await using (ledger)
        {
            int schema;
            try
            {
                schema = await ledger.GetSchemaVersionAsync(cancellationToken);
                _sections.Add(new BundleSection("database", true, $"{database}: schema version {schema}"));
            }
            catch (Exception ex) when (IsDatabaseFailure(ex))
            {
                Unavailable(["database", "runs", "stats"], $"the database {database} could not answer: {ex.Message}");
                return (database, null);
            }

            try
            {
                await CollectRunsAsync(ledger, cancellationToken);
            }
            catch (Exception ex) when (IsDatabaseFailure(ex))
            {
                Unavailable(["runs"], $"the database {database} could not answer: {ex.Message}");
            }

            try
            {
                await CollectStatsAsync(ledger, now, cancellationToken);
            }
            catch (Exception ex) when (IsDatabaseFailure(ex))
            {
                Unavailable(["stats"], $"the database {database} could not answer: {ex.Message}");
            }

            return (database, schema);
        }
    }

    private async Task CollectRunsAsync(CliLedger ledger, CancellationToken cancellationToken)
    {
        var failed = await ledger.Questions.ListAsync(new RunQuery { Outcome = RunOutcome.Failed, Limit = RunLimit }, cancellationToken);
        var degraded = await ledger.Questions.ListAsync(new RunQuery { Outcome = RunOutcome.Degraded, Limit = RunLimit }, cancellationToken);
        var newest = failed.Data.Concat(degraded.Data)
            .OrderByDescending(static r => r.StartedAt)
            .ThenByDescending(static r => r.Id, StringComparer.Ordinal)
            .ToList();
        var runs = new List<RunView>();
        foreach (var run in newest.Take(RunLimit))
        {
            runs.Add(await ledger.Questions.ShowAsync(run.Id, keyId: null, cancellationToken) ?? run);
        }

        var more = failed.HasMore || degraded.HasMore || newest.Count > RunLimit;
        Add("runs-failed-degraded.json", $"The last {RunLimit} failed or degraded runs, newest first, each with its attempts", JsonSerializer.Serialize(
            new RunListView(runs, more, more && runs.Count > 0 ? runs[^1].Id : null), QuestionsJsonContext.Indented.RunListView));
        _sections.Add(new BundleSection("runs", true, $"{runs.Count} failed or degraded run{(runs.Count == 1 ? "" : "s")}{(more ? " (older ones left out)" : "")}"));
    }

    private async Task CollectStatsAsync(CliLedger ledger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        foreach (var grouping in new[] { StatsGrouping.Route, StatsGrouping.Provider, StatsGrouping.Error })
        {
            var query = new StatsQuery { Since = now - QuestionParameters.DefaultStatsWindow, Until = now };
            var stats = await ledger.Questions.StatsAsync(query, grouping, cancellationToken);
            Add($"stats-24h-by-{grouping.ToWire()}.json", $"switchyard stats --since 24h --by {grouping.ToWire()} --json", JsonSerializer.Serialize(stats, QuestionsJsonContext.Indented.StatsView));
        }

        _sections.Add(new BundleSection("stats", true, "the last 24 hours by route, provider and error"));
    }

    private async Task CollectAlertsAsync(SwitchyardConfig? config, CancellationToken cancellationToken)
    {
        const string Name = "alerts.json";
        const string Description = "GET /v1/alerts from the running server (rule states and recent transitions), or why it was not reached";
        var url = _options.ServerUrl ?? (config is null ? null : LocalUrl(config.Server.Urls));
        var key = _options.AdminKey ?? _env.Variable(GatewayInitializer.AdminKeyVariable);
        string? reason = null;
        if (url is null)
        {
            reason = "no server URL: pass --url (the config is invalid, so server.urls is unknown)";
        }
        else if (string.IsNullOrEmpty(key))
        {
            reason = $"not fetched: reading alerts needs an admin key; pass --key or set {GatewayInitializer.AdminKeyVariable}";
        }
        else
        {
            reason = await FetchAlertsAsync(new Uri(url, "/v1/alerts"), key, Name, Description, cancellationToken);
            if (reason is null)
            {
                return;
            }
        }

        Add(Name, Description, JsonSerializer.Serialize(new AlertsUnavailable(false, url?.ToString(), reason), BundleJsonContext.Readable.AlertsUnavailable));
        _sections.Add(new BundleSection("alerts", false, reason));
    }

    // Null when the alerts were added; otherwise why not.
    private async Task<string?> FetchAlertsAsync(Uri url, string key, string name, string description, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(_env.HttpHandler?.Invoke() ?? new SocketsHttpHandler { ConnectTimeout = AlertsTimeout }, disposeHandler: true) { Timeout = AlertsTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            using var response = await client.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonElement document;
            try
            {
                document = JsonSerializer.Deserialize(body, BundleJsonContext.Readable.JsonElement);
            }
            catch (JsonException)
            {
                return $"server not reached: {url} answered HTTP {(int)response.StatusCode} with a body that is not JSON (is it a Switchyard gateway?)";
            }

            if (!response.IsSuccessStatusCode)
            {
                var message = document.ValueKind == JsonValueKind.Object && document.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var m) ? m.GetString() : null;
                return $"the server at {url} answered HTTP {(int)response.StatusCode}{(message is null ? "" : ": " + message)}";
            }

            Add(name, description, JsonSerializer.Serialize(document, BundleJsonContext.Readable.JsonElement));
            _sections.Add(new BundleSection("alerts", true, $"read from {url}"));
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return $"server not reached at {url}: {(ex is TaskCanceledException ? $"no answer within {Duration.Format(AlertsTimeout)}" : ex.Message)}";
        }
    }

    // server.urls may list several and bind every interface; the bundle runs on the same machine, so ask loopback.
    private static Uri? LocalUrl(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null)
        {
            return null;
        }

        first = first.Replace("://0.0.0.0", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://*", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://+", "://127.0.0.1", StringComparison.Ordinal)
            .Replace("://[::]", "://127.0.0.1", StringComparison.Ordinal);
        return Uri.TryCreate(first, UriKind.Absolute, out var uri) ? uri : null;
    }

    private async Task<BundleResult> WriteZipAsync(string output, DateTimeOffset now, string? path, CancellationToken cancellationToken)
    {
        var files = new List<BundleFile>();
        var scrubbed = new List<(string Name, byte[] Bytes)>();
        foreach (var (name, description, text) in _entries)
        {
            var bytes = Encoding.UTF8.GetBytes(_scrubber.Scrub(text));
            scrubbed.Add((name, bytes));
            files.Add(new BundleFile(name, bytes.Length, description));
        }

        var manifest = new BundleManifest("switchyard.bundle", now, Version, path is null ? "embedded default" : Path.GetFullPath(path), files, _sections, _scrubber.Count);
        var manifestBytes = Encoding.UTF8.GetBytes(_scrubber.Scrub(JsonSerializer.Serialize(manifest, BundleJsonContext.Readable.BundleManifest)));
        var readmeBytes = Encoding.UTF8.GetBytes(_scrubber.Scrub(Readme(manifest)));

        var full = Path.GetFullPath(output);
        var temporary = full + $".{Guid.NewGuid():N}.tmp";
        try
        {
            await using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            await using (var zip = new ZipArchive(stream, ZipArchiveMode.Create))
            {
                foreach (var (name, bytes) in new[] { ("README.txt", readmeBytes), ("manifest.json", manifestBytes) }.Concat(scrubbed))
                {
                    var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                    entry.LastWriteTime = now;
                    await using var entryStream = await entry.OpenAsync(cancellationToken);
                    await entryStream.WriteAsync(bytes, cancellationToken);
                }
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        return new BundleResult(full, new FileInfo(full).Length, manifest);
    }

    private static string Readme(BundleManifest manifest)
    {
        var text = new StringBuilder();
        text.AppendLine("Switchyard support bundle");
        text.AppendLine("=========================");
        text.AppendLine();
        text.AppendLine($"Created {manifest.CreatedAt:yyyy-MM-dd HH:mm:ss'Z'} by switchyard {manifest.SwitchyardVersion} with config: {manifest.Config}.");
        text.AppendLine("Secrets are masked as " + SecretScrubber.Mask + ": ${NAME} references are kept (the variable's name, never its value),");
        text.AppendLine("literal credentials and URL passwords are masked, and the values of the config's secrets and of every environment");
        text.AppendLine("variable whose name looks secret are masked wherever they appear.");
        text.AppendLine();
        text.AppendLine("Files:");
        text.AppendLine("  README.txt  this file");
        text.AppendLine("  manifest.json  the files and parts below, as JSON");
        foreach (var file in manifest.Files)
        {
            text.AppendLine($"  {file.Name}  {file.Description} ({file.Bytes:N0} bytes)");
        }

        text.AppendLine();
        text.AppendLine("Parts:");
        foreach (var section in manifest.Sections)
        {
            text.AppendLine($"  {section.Name}: {(section.Collected ? "collected" : "NOT collected")}: {section.Detail}");
        }

        return text.ToString();
    }

    private void Add(string name, string description, string text) => _entries.Add((name, description, text));

    private void Unavailable(string[] names, string reason)
    {
        foreach (var name in names)
        {
            _sections.Add(new BundleSection(name, false, reason));
        }
    }

    private static bool IsDatabaseFailure(Exception ex) =>
        ex is DbException or IOException or SocketException or TimeoutException or InvalidOperationException;
}
