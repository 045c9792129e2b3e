using System.CommandLine;
using System.Text.Json.Serialization;
using Spectre.Console;
using Switchyard.Configuration;
using Switchyard.Keys;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard keys create|list|revoke|rotate-webhook-secret</c>: API keys in the database; a new key is shown once
/// and stored as a hash, beside its webhook secret (derived, never stored), also shown once.
/// </summary>
internal static class KeysCommand
{
    public static Command Create(CliEnvironment env)
    {
        var keys = new Command("keys", "Create, list and revoke API keys.");

        var name = new Option<string>("--name") { Description = "A name for the key (who or what uses it).", Required = true };
        var admin = new Option<bool>("--admin") { Description = "An admin key: reaches admin APIs, /metrics and every key's runs." };
        var createConfig = CliOptions.Config();
        var createJson = CliOptions.Json();
        var create = new Command("create", "Create a key and print it once; only its hash is stored.") { name, admin, createConfig, createJson };
        create.SetAction(async (r, ct) => await CreateAsync(env, r.GetValue(createConfig), r.GetValue(name)!, r.GetValue(admin), r.GetValue(createJson), ct));

        var listConfig = CliOptions.Config();
        var listJson = CliOptions.Json();
        var list = new Command("list", "List keys (never their secret part).") { listConfig, listJson };
        list.SetAction(async (r, ct) => await ListAsync(env, r.GetValue(listConfig), r.GetValue(listJson), ct));

        var id = new Argument<string>("KEY_ID") { Description = "The key's id (key_…), as keys list shows it." };
        var revokeConfig = CliOptions.Config();
        var revoke = new Command("revoke", "Revoke a key: requests with it get 401 from now on.") { id, revokeConfig };
        revoke.SetAction(async (r, ct) => await RevokeAsync(env, r.GetValue(revokeConfig), r.GetValue(id)!, ct));

        var rotateId = new Argument<string>("KEY_ID") { Description = "The key's id (key_…), as keys list shows it." };
        var overlap = new Option<string>("--overlap") { Description = "How long the old secret keeps signing beside the new one (e.g. 24h, 0 for none).", DefaultValueFactory = _ => "24h" };
        var rotateConfig = CliOptions.Config();
        var rotateJson = CliOptions.Json();
        var rotate = new Command("rotate-webhook-secret", "Give a key a new webhook secret and print it once; during the overlap webhooks carry both signatures.") { rotateId, overlap, rotateConfig, rotateJson };
        rotate.SetAction(async (r, ct) => await RotateWebhookSecretAsync(env, r.GetValue(rotateConfig), r.GetValue(rotateId)!, r.GetValue(overlap)!, r.GetValue(rotateJson), ct));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        keys.Subcommands.Add(rotate);
        return keys;
    }

    private static async Task<int> CreateAsync(CliEnvironment env, string? configPath, string name, bool admin, bool json, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            await env.Error.WriteLineAsync("--name: give the key a name");
            return CliExitCodes.BadConfig;
        }

        return await WithLedgerAsync(env, configPath, async ledger =>
        {
            var (key, record) = ApiKeys.Create(name.Trim(), admin, env.Time.GetUtcNow());
            await ledger.Keys.AddAsync(record, cancellationToken);
            var webhookSecret = await ledger.WebhookSecrets.CurrentKeySecretAsync(record.Id, cancellationToken);
            if (json)
            {
                await CliOptions.WriteJsonAsync(env, new CreatedKey(record.Id, record.Name, record.IsAdmin, key, webhookSecret), KeysJsonContext.Default.CreatedKey);
            }
            else
            {
                env.Human.MarkupLine($"created {(admin ? "admin " : "")}key [bold]{Markup.Escape(record.Id)}[/] ({Markup.Escape(record.Name)}); it is shown once, store it now:");
                await env.Out.WriteLineAsync(key);
                env.Human.MarkupLine("its webhook secret (verifies the webhooks of jobs submitted with this key), also shown once:");
                await env.Out.WriteLineAsync(webhookSecret);
            }

            return CliExitCodes.Ok;
        });
    }

    private static Task<int> ListAsync(CliEnvironment env, string? configPath, bool json, CancellationToken cancellationToken) =>
        WithKeysAsync(env, configPath, async store =>
        {
            var keys = (await store.ListAsync(cancellationToken)).Select(k => new KeyView(k.Id, k.Name, k.IsAdmin, k.CreatedAt, k.RevokedAt)).ToList();
            if (json)
            {
                await CliOptions.WriteJsonAsync(env, keys, KeysJsonContext.Default.ListKeyView);
                return CliExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "name", "admin", "created", "revoked");
            foreach (var key in keys)
            {
                table.AddRow(Markup.Escape(key.Id), Markup.Escape(key.Name), key.IsAdmin ? "yes" : "", key.CreatedAt.ToString("u"), key.RevokedAt?.ToString("u") ?? "");
            }

            env.Human.Write(table);
            return CliExitCodes.Ok;
        });

    private static Task<int> RevokeAsync(CliEnvironment env, string? configPath, string id, CancellationToken cancellationToken) =>
        WithKeysAsync(env, configPath, async store =>
        {
            if (!await store.RevokeAsync(id, env.Time.GetUtcNow(), cancellationToken))
            {
                await env.Error.WriteLineAsync($"No active key '{id}' (keys list shows the ids).");
                return CliExitCodes.NotFound;
            }

            env.Human.MarkupLine($"revoked {Markup.Escape(id)}");
            return CliExitCodes.Ok;
        });

    private static async Task<int> RotateWebhookSecretAsync(CliEnvironment env, string? configPath, string id, string overlapText, bool json, CancellationToken cancellationToken)
    {
        if (!Duration.TryParse(overlapText, out var overlap) || overlap > TimeSpan.FromDays(30))
        {
            await env.Error.WriteLineAsync($"--overlap: '{overlapText}' is not a duration up to 30d; write e.g. 24h, 30m or 0");
            return CliExitCodes.BadConfig;
        }

        return await WithLedgerAsync(env, configPath, async ledger =>
        {
            var key = (await ledger.Keys.ListAsync(cancellationToken)).FirstOrDefault(k => k.Id == id && k.RevokedAt is null);
            if (key is null)
            {
                await env.Error.WriteLineAsync($"No active key '{id}' (keys list shows the ids).");
                return CliExitCodes.NotFound;
            }

            var secret = await ledger.WebhookSecrets.RotateKeySecretAsync(id, overlap, cancellationToken);
            var until = env.Time.GetUtcNow() + overlap;
            if (json)
            {
                await CliOptions.WriteJsonAsync(env, new RotatedWebhookSecret(id, secret, overlap > TimeSpan.Zero ? until : null), KeysJsonContext.Default.RotatedWebhookSecret);
            }
            else
            {
                env.Human.MarkupLine(overlap > TimeSpan.Zero
                    ? $"new webhook secret of [bold]{Markup.Escape(id)}[/]; until {until:u} webhooks carry a signature with the old one as well. Shown once, store it now:"
                    : $"new webhook secret of [bold]{Markup.Escape(id)}[/]; the old one no longer signs. Shown once, store it now:");
                await env.Out.WriteLineAsync(secret);
            }

            return CliExitCodes.Ok;
        });
    }

    private static Task<int> WithKeysAsync(CliEnvironment env, string? configPath, Func<IKeyStore, Task<int>> action) =>
        WithLedgerAsync(env, configPath, ledger => action(ledger.Keys));

    private static async Task<int> WithLedgerAsync(CliEnvironment env, string? configPath, Func<CliLedger, Task<int>> action)
    {
        var (ledger, exitCode) = await CliLedger.OpenAsync(configPath, env);
        if (ledger is null)
        {
            return exitCode;
        }

        await using (ledger)
        {
            return await ledger.AskAsync(env, action);
        }
    }
}

/// <summary>A key just created: the only time its text is shown.</summary>
internal sealed record CreatedKey(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("admin")] bool IsAdmin,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("webhook_secret")] string WebhookSecret);

/// <summary>A key's new webhook secret: the only time it is shown.</summary>
internal sealed record RotatedWebhookSecret(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("webhook_secret")] string WebhookSecret,
    [property: JsonPropertyName("previous_valid_until")] DateTimeOffset? PreviousValidUntil);

/// <summary>A key as <c>keys list</c> shows it.</summary>
internal sealed record KeyView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("admin")] bool IsAdmin,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt);

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(RotatedWebhookSecret))]
[JsonSerializable(typeof(List<KeyView>))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;
