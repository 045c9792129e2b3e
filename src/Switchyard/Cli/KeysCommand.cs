using System.CommandLine;
using System.Text.Json.Serialization;
using Spectre.Console;
using Switchyard.Configuration;
using Switchyard.Keys;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard keys create|list|update|rotate|revoke|rotate-webhook-secret</c>: API keys in the database with their
/// limits; a new or rotated key is shown once and stored as a hash, and a new key's webhook secret (derived, never
/// stored) is shown once beside it.
/// </summary>
internal static class KeysCommand
{
    private static readonly TimeSpan DefaultOverlap = TimeSpan.FromHours(24);

    public static Command Create(CliEnvironment env)
    {
        var keys = new Command("keys", "Create, list, limit, rotate and revoke API keys.");

        var name = new Option<string>("--name") { Description = "A name for the key (who or what uses it).", Required = true };
        var admin = new Option<bool>("--admin") { Description = "An admin key: reaches admin APIs, /metrics and every key's runs." };
        var createLimits = new LimitOptions();
        var createConfig = CliOptions.Config();
        var createJson = CliOptions.Json();
        var create = new Command("create", "Create a key and print it once; only its hash is stored.") { name, admin, createConfig, createJson };
        createLimits.AddTo(create);
        create.SetAction(async (r, ct) => await CreateAsync(env, r.GetValue(createConfig), r.GetValue(name)!, r.GetValue(admin), createLimits, r, r.GetValue(createJson), ct));

        var listConfig = CliOptions.Config();
        var listJson = CliOptions.Json();
        var list = new Command("list", "List keys with their limits (never their secret part).") { listConfig, listJson };
        list.SetAction(async (r, ct) => await ListAsync(env, r.GetValue(listConfig), r.GetValue(listJson), ct));

        var updateId = KeyId();
        var updateLimits = new LimitOptions();
        var updateConfig = CliOptions.Config();
        var updateJson = CliOptions.Json();
        var update = new Command("update", "Change a key's limits; only the options given change (0 or \"*\" removes a limit).") { updateId, updateConfig, updateJson };
        updateLimits.AddTo(update);
        update.SetAction(async (r, ct) => await UpdateAsync(env, r.GetValue(updateConfig), r.GetValue(updateId)!, updateLimits, r, r.GetValue(updateJson), ct));

        var rotateId = KeyId();
        var overlap = new Option<string>("--overlap") { Description = "How long the old secret keeps working, e.g. 24h (default), 30m or 0." };
        var rotateConfig = CliOptions.Config();
        var rotateJson = CliOptions.Json();
        var rotate = new Command("rotate", "Give a key a new secret (printed once); the old one works until the overlap ends.") { rotateId, overlap, rotateConfig, rotateJson };
        rotate.SetAction(async (r, ct) => await RotateAsync(env, r.GetValue(rotateConfig), r.GetValue(rotateId)!, r.GetValue(overlap), r.GetValue(rotateJson), ct));

        var revokeId = KeyId();
        var revokeConfig = CliOptions.Config();
        var revoke = new Command("revoke", "Revoke a key: requests with it get 401 (within 30s on running servers).") { revokeId, revokeConfig };
        revoke.SetAction(async (r, ct) => await RevokeAsync(env, r.GetValue(revokeConfig), r.GetValue(revokeId)!, ct));

        var hookId = KeyId();
        var hookOverlap = new Option<string>("--overlap") { Description = "How long the old secret keeps signing beside the new one (e.g. 24h, 0 for none).", DefaultValueFactory = _ => "24h" };
        var hookConfig = CliOptions.Config();
        var hookJson = CliOptions.Json();
        var rotateWebhook = new Command("rotate-webhook-secret", "Give a key a new webhook secret and print it once; during the overlap webhooks carry both signatures.") { hookId, hookOverlap, hookConfig, hookJson };
        rotateWebhook.SetAction(async (r, ct) => await RotateWebhookSecretAsync(env, r.GetValue(hookConfig), r.GetValue(hookId)!, r.GetValue(hookOverlap)!, r.GetValue(hookJson), ct));

        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(update);
        keys.Subcommands.Add(rotate);
        keys.Subcommands.Add(revoke);
        keys.Subcommands.Add(rotateWebhook);
        return keys;
    }

    private static Argument<string> KeyId() => new("KEY_ID") { Description = "The key's id (key_…), as keys list shows it." };

    private static async Task<int> CreateAsync(CliEnvironment env, string? configPath, string name, bool admin, LimitOptions options, ParseResult parse, bool json, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            await env.Error.WriteLineAsync("--name: give the key a name");
            return CliExitCodes.BadConfig;
        }

        var (limits, problem) = options.Apply(KeyLimits.None, parse);
        if (problem is not null)
        {
            await env.Error.WriteLineAsync(problem);
            return CliExitCodes.BadConfig;
        }

        return await WithLedgerAsync(env, configPath, async ledger =>
        {
            var (key, record) = ApiKeys.Create(name.Trim(), admin, env.Time.GetUtcNow());
            record = record with { Limits = limits };
            await ledger.Keys.AddAsync(record, cancellationToken);
            var webhookSecret = await ledger.WebhookSecrets.CurrentKeySecretAsync(record.Id, cancellationToken);
            if (json)
            {
                await CliOptions.WriteJsonAsync(env, new CreatedKey(record.Id, record.Name, record.IsAdmin, key, webhookSecret, limits.RequestsPerMinute, limits.Concurrency, limits.DailyQuota, limits.Routes), KeysJsonContext.Default.CreatedKey);
            }
            else
            {
                env.Human.MarkupLine($"created {(admin ? "admin " : "")}key [bold]{Markup.Escape(record.Id)}[/] ({Markup.Escape(record.Name)}{Markup.Escape(Describe(limits))}); it is shown once, store it now:");
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
            var now = env.Time.GetUtcNow();
            var keys = (await store.ListAsync(cancellationToken)).Select(KeyView.From).ToList();
            if (json)
            {
                await CliOptions.WriteJsonAsync(env, keys, KeysJsonContext.Default.ListKeyView);
                return CliExitCodes.Ok;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "name", "admin", "rpm", "concurrency", "daily quota", "routes", "created", "revoked", "old secret until");
            foreach (var key in keys)
            {
                table.AddRow(
                    Markup.Escape(key.Id),
                    Markup.Escape(key.Name),
                    key.IsAdmin ? "yes" : "",
                    key.Rpm?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    key.Concurrency?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    key.DailyQuota?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    Markup.Escape(key.Routes is null ? "*" : string.Join(", ", key.Routes)),
                    key.CreatedAt.ToString("u"),
                    key.RevokedAt?.ToString("u") ?? "",
                    key.PreviousSecretExpiresAt is { } until && until > now ? until.ToString("u") : "");
            }

            env.Human.Write(table);
            return CliExitCodes.Ok;
        });

    private static async Task<int> UpdateAsync(CliEnvironment env, string? configPath, string id, LimitOptions options, ParseResult parse, bool json, CancellationToken cancellationToken)
    {
        if (!options.AnyGiven(parse))
        {
            await env.Error.WriteLineAsync("keys update: give at least one of --rpm, --concurrency, --daily-quota, --routes");
            return CliExitCodes.BadConfig;
        }

        return await WithKeysAsync(env, configPath, async store =>
        {
            var record = (await store.ListAsync(cancellationToken)).FirstOrDefault(k => string.Equals(k.Id, id, StringComparison.Ordinal));
            if (record is null)
            {
                await env.Error.WriteLineAsync($"No key '{id}' (keys list shows the ids).");
                return CliExitCodes.NotFound;
            }

            var (limits, problem) = options.Apply(record.Limits, parse);
            if (problem is not null)
            {
                await env.Error.WriteLineAsync(problem);
                return CliExitCodes.BadConfig;
            }

            await store.UpdateLimitsAsync(id, limits, cancellationToken);
            if (json)
            {
                await CliOptions.WriteJsonAsync(env, KeyView.From(record with { Limits = limits }), KeysJsonContext.Default.KeyView);
            }
            else
            {
                env.Human.MarkupLine($"updated {Markup.Escape(id)}: {Markup.Escape(Describe(limits).TrimStart(',', ' ') is { Length: > 0 } text ? text : "no limits")} (running servers apply it within 30s)");
            }

            return CliExitCodes.Ok;
        });
    }

    private static async Task<int> RotateAsync(CliEnvironment env, string? configPath, string id, string? overlapText, bool json, CancellationToken cancellationToken)
    {
        var overlap = DefaultOverlap;
        if (overlapText is not null && !Duration.TryParse(overlapText, out overlap))
        {
            await env.Error.WriteLineAsync($"--overlap: '{overlapText}' is not a duration (e.g. 24h, 30m, 0)");
            return CliExitCodes.BadConfig;
        }

        return await WithKeysAsync(env, configPath, async store =>
        {
            var (key, prefix, hash) = ApiKeys.NewSecret();
            var until = env.Time.GetUtcNow() + overlap;
            if (!await store.RotateAsync(id, prefix, hash, until, cancellationToken))
            {
                await env.Error.WriteLineAsync($"No active key '{id}' (keys list shows the ids).");
                return CliExitCodes.NotFound;
            }

            if (json)
            {
                await CliOptions.WriteJsonAsync(env, new RotatedKey(id, key, until), KeysJsonContext.Default.RotatedKey);
            }
            else
            {
                env.Human.MarkupLine($"rotated [bold]{Markup.Escape(id)}[/]; the old secret works until {until:u}. The new one is shown once, store it now:");
                await env.Out.WriteLineAsync(key);
            }

            return CliExitCodes.Ok;
        });
    }

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

    private static string Describe(KeyLimits limits)
    {
        var parts = new List<string>();
        if (limits.RequestsPerMinute is { } rpm)
        {
            parts.Add($"{rpm} rpm");
        }

        if (limits.Concurrency is { } concurrency)
        {
            parts.Add($"{concurrency} at once");
        }

        if (limits.DailyQuota is { } quota)
        {
            parts.Add($"{quota} runs/day");
        }

        if (limits.Routes is { } routes)
        {
            parts.Add("routes " + string.Join(",", routes));
        }

        return parts.Count == 0 ? "" : ", " + string.Join(", ", parts);
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

    /// <summary>The limit options <c>create</c> and <c>update</c> share.</summary>
    private sealed class LimitOptions
    {
        private readonly Option<int?> _rpm = new("--rpm") { Description = "Requests per minute for this key (0: no limit)." };
        private readonly Option<int?> _concurrency = new("--concurrency") { Description = "Requests in flight at once for this key (0: no limit)." };
        private readonly Option<int?> _dailyQuota = new("--daily-quota") { Description = "Runs per UTC day for this key (0: no limit)." };
        private readonly Option<string?> _routes = new("--routes") { Description = "Comma-separated routes, presets or provider/model names this key may call (\"*\": all)." };

        public void AddTo(Command command)
        {
            command.Options.Add(_rpm);
            command.Options.Add(_concurrency);
            command.Options.Add(_dailyQuota);
            command.Options.Add(_routes);
        }

        public bool AnyGiven(ParseResult parse) =>
            parse.GetResult(_rpm) is not null || parse.GetResult(_concurrency) is not null || parse.GetResult(_dailyQuota) is not null || parse.GetResult(_routes) is not null;

        /// <summary>The limits after applying the given options to <paramref name="current"/>, or the problem with one.</summary>
        public (KeyLimits Limits, string? Problem) Apply(KeyLimits current, ParseResult parse)
        {
            var limits = current;
            foreach (var (option, set) in new (Option<int?> Option, Func<KeyLimits, int?, KeyLimits> Set)[]
            {
                (_rpm, static (l, v) => l with { RequestsPerMinute = v }),
                (_concurrency, static (l, v) => l with { Concurrency = v }),
                (_dailyQuota, static (l, v) => l with { DailyQuota = v }),
            })
            {
                if (parse.GetResult(option) is null)
                {
                    continue;
                }

                var value = parse.GetValue(option);
                if (value is < 0)
                {
                    return (current, $"{option.Name}: {value} is negative; give a count, or 0 for no limit");
                }

                limits = set(limits, value is 0 ? null : value);
            }

            if (parse.GetResult(_routes) is not null)
            {
                var text = parse.GetValue(_routes)?.Trim() ?? "";
                if (text is "*" or "")
                {
                    limits = limits with { Routes = null };
                }
                else
                {
                    var routes = KeyLimits.ParseRoutes(text)!;
                    if (routes.Any(r => r == "*" || r.Any(char.IsWhiteSpace)))
                    {
                        return (current, $"--routes: '{text}' must be route, preset or provider/model names separated by commas, or \"*\" for all");
                    }

                    limits = limits with { Routes = routes.Distinct(StringComparer.Ordinal).ToList() };
                }
            }

            return (limits, null);
        }
    }
}

/// <summary>A key just created: the only time its text is shown.</summary>
internal sealed record CreatedKey(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("admin")] bool IsAdmin,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("webhook_secret")] string WebhookSecret,
    [property: JsonPropertyName("rpm")] int? Rpm,
    [property: JsonPropertyName("concurrency")] int? Concurrency,
    [property: JsonPropertyName("daily_quota")] int? DailyQuota,
    [property: JsonPropertyName("routes")] IReadOnlyList<string>? Routes);

/// <summary>A key's new webhook secret: the only time it is shown.</summary>
internal sealed record RotatedWebhookSecret(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("webhook_secret")] string WebhookSecret,
    [property: JsonPropertyName("previous_valid_until")] DateTimeOffset? PreviousValidUntil);

/// <summary>A key just rotated: the only time its new text is shown.</summary>
internal sealed record RotatedKey(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("previous_secret_expires_at")] DateTimeOffset PreviousSecretExpiresAt);

/// <summary>A key as <c>keys list</c> shows it.</summary>
internal sealed record KeyView(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("admin")] bool IsAdmin,
    [property: JsonPropertyName("created_at")] DateTimeOffset CreatedAt,
    [property: JsonPropertyName("revoked_at")] DateTimeOffset? RevokedAt,
    [property: JsonPropertyName("rpm")] int? Rpm,
    [property: JsonPropertyName("concurrency")] int? Concurrency,
    [property: JsonPropertyName("daily_quota")] int? DailyQuota,
    [property: JsonPropertyName("routes")] IReadOnlyList<string>? Routes,
    [property: JsonPropertyName("previous_secret_expires_at")] DateTimeOffset? PreviousSecretExpiresAt)
{
    public static KeyView From(ApiKeyRecord k) =>
        new(k.Id, k.Name, k.IsAdmin, k.CreatedAt, k.RevokedAt, k.Limits.RequestsPerMinute, k.Limits.Concurrency, k.Limits.DailyQuota, k.Limits.Routes, k.PreviousExpiresAt);
}

[JsonSourceGenerationOptions(WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CreatedKey))]
[JsonSerializable(typeof(RotatedWebhookSecret))]
[JsonSerializable(typeof(RotatedKey))]
[JsonSerializable(typeof(KeyView))]
[JsonSerializable(typeof(List<KeyView>))]
internal sealed partial class KeysJsonContext : JsonSerializerContext;
