using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Switchyard.Artifacts;
using Switchyard.Keys;

namespace Switchyard.Hosting;

/// <summary>
/// Start-up work that must finish before the first request: schema migration, the admin key on
/// first start (from <c>SWITCHYARD_ADMIN_KEY</c> or generated and printed once), the artifact
/// link key, and the ready line once the server listens.
/// </summary>
internal sealed partial class GatewayInitializer : IHostedService
{
    public const string AdminKeyVariable = "SWITCHYARD_ADMIN_KEY";

    private readonly StorageBootstrap _storage;
    private readonly IKeyStore _keys;
    private readonly ArtifactLinks _links;
    private readonly IConfiguration _hostConfiguration;
    private readonly TimeProvider _time;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IServer _server;
    private readonly GatewayOutput _output;
    private readonly ILogger<GatewayInitializer> _logger;

    public GatewayInitializer(
        StorageBootstrap storage,
        IKeyStore keys,
        ArtifactLinks links,
        IConfiguration hostConfiguration,
        TimeProvider time,
        IHostApplicationLifetime lifetime,
        IServer server,
        GatewayOutput output,
        ILogger<GatewayInitializer> logger)
    {
        _storage = storage;
        _keys = keys;
        _links = links;
        _hostConfiguration = hostConfiguration;
        _time = time;
        _lifetime = lifetime;
        _server = server;
        _output = output;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _storage.InitializeAsync(cancellationToken);
        await EnsureAdminKeyAsync(cancellationToken);
        _links.UseKey(await _keys.GetOrCreateServerSecretAsync(ArtifactLinks.SecretName, static () => RandomNumberGenerator.GetBytes(32), cancellationToken));
        _lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses;
            _output.WriteLine($"switchyard ready on {(addresses is { Count: > 0 } ? string.Join(", ", addresses) : "the test server")}");
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task EnsureAdminKeyAsync(CancellationToken cancellationToken)
    {
        var existing = await _keys.ListAsync(cancellationToken);
        var fromEnvironment = _hostConfiguration[AdminKeyVariable];
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            var record = ApiKeys.FromExisting(fromEnvironment, "admin", isAdmin: true, _time.GetUtcNow())
                ?? throw new InvalidOperationException($"{AdminKeyVariable} is not a Switchyard key (sy_ + 12 letters or digits + _ + at least 16 more).");
            if (!existing.Any(k => k.Prefix == record.Prefix))
            {
                await _keys.AddAsync(record, cancellationToken);
                Log.AdminKeyImported(_logger, record.Id);
            }

            return;
        }

        if (existing.Any(k => k.IsAdmin && k.RevokedAt is null))
        {
            return;
        }

        var (key, created) = ApiKeys.Create("admin", isAdmin: true, _time.GetUtcNow());
        await _keys.AddAsync(created, cancellationToken);
        // Printed once, to the console only (never to the logs): it is stored as a hash.
        _output.WriteLine($"admin key: {key}");
        Log.AdminKeyCreated(_logger, created.Id);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, EventName = "AdminKeyCreated", Level = LogLevel.Information, Message = "Created the admin key {KeyId} (printed once on the console)")]
        public static partial void AdminKeyCreated(ILogger logger, string keyId);

        [LoggerMessage(EventId = 2, EventName = "AdminKeyImported", Level = LogLevel.Information, Message = "Stored the admin key {KeyId} from SWITCHYARD_ADMIN_KEY")]
        public static partial void AdminKeyImported(ILogger logger, string keyId);
    }
}
