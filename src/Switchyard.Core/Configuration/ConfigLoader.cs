using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Configuration;

/// <summary>
/// Turns the raw configuration tree into a validated <see cref="SwitchyardConfig"/>. It reports
/// every problem at once with its path in the file, rejects unknown keys, and resolves
/// <c>${NAME}</c> references without ever keeping a secret outside a <see cref="Secret"/>.
/// </summary>
public sealed partial class ConfigLoader
{
    private static readonly string[] TopLevel = ["storage", "server", "providers", "routes", "outbound", "presets", "keys", "alerts", "telemetry", "webhooks", "jobs"];
    private static readonly string[] TelemetryKeys = ["otlp_endpoint", "service_name"];
    private static readonly string[] StorageKeys = ["database", "artifacts", "s3", "redis", "artifact_url_ttl", "retention"];
    private static readonly string[] S3Keys = ["endpoint", "region", "access_key", "secret_key", "path_style"];
    private static readonly string[] ServerKeys = ["urls", "max_request_bytes", "max_json_request_bytes", "max_prompt_chars", "unknown_fields"];
    private static readonly string[] ProviderKeys = ["type", "base_url", "api_key", "timeout", "total_timeout", "retry", "circuit_breaker", "rate_limit", "models", "prices"];
    private static readonly string[] PriceKeys = ["per_image", "per_image_by_size", "per_image_by_quality", "per_1k_input_tokens", "per_1k_output_tokens", "per_1k_chars"];
    private static readonly string[] RetryKeys = ["max_attempts", "base_delay", "max_delay", "max_retry_after"];
    private static readonly string[] BreakerKeys = ["failure_ratio", "minimum_throughput", "sampling", "break"];
    private static readonly string[] RateKeys = ["rpm", "concurrency", "queue"];
    private static readonly string[] RouteKeys = ["modality", "chain", "on_content_rejected", "prompt", "cache", "hedge"];
    private static readonly string[] PromptKeys = ["max_length", "max_length_by_provider", "deny", "clean"];
    private static readonly string[] CacheKeys = ["ttl"];
    private static readonly string[] HedgeKeys = ["delay"];
    private static readonly string[] StepKeys = ["provider", "model"];
    private static readonly string[] PresetKeys = ["route", "prompt", "negative_prompt", "strength", "style"];
    private static readonly string[] OutboundKeys = ["allow_private"];

    private readonly IReadOnlyDictionary<string, IProviderFactory> _factories;
    private readonly Func<string, string?> _environment;
    private readonly List<ConfigProblem> _problems = [];

    /// <summary>Creates a loader that knows the given provider types and reads variables through <paramref name="environment"/>.</summary>
    public ConfigLoader(IEnumerable<IProviderFactory> factories, Func<string, string?> environment)
    {
        _factories = factories.ToDictionary(f => f.Type, StringComparer.Ordinal);
        _environment = environment;
    }

    /// <summary>Validates <paramref name="root"/>; throws <see cref="ConfigException"/> listing every problem.</summary>
    public SwitchyardConfig Load(IConfiguration root)
    {
        _problems.Clear();
        CheckKeys(root, "", TopLevel);
        var storage = ReadStorage(root.GetSection("storage"));
        var server = ReadServer(root.GetSection("server"));
        var providers = ReadProviders(root.GetSection("providers"));
        var routes = ReadRoutes(root.GetSection("routes"), providers);
        var presets = ReadPresets(root.GetSection("presets"), routes);
        var outbound = new OutboundConfig { AllowPrivate = ReadList(root.GetSection("outbound:allow_private")) };
        for (var i = 0; i < outbound.AllowPrivate.Count; i++)
        {
            try
            {
                Outbound.AddressPolicy.ParseRange(outbound.AllowPrivate[i]);
            }
            catch (FormatException ex)
            {
                Problem($"outbound.allow_private[{i}]", ex.Message);
            }
        }
        CheckKeys(root.GetSection("outbound"), "outbound", OutboundKeys);
        var telemetry = ReadTelemetry(root.GetSection("telemetry"));
        CheckKeys(root.GetSection("keys"), "keys", []);
        var alerts = ReadAlerts(root.GetSection("alerts"), routes, providers);
        var webhooks = ReadWebhooks(root.GetSection("webhooks"));
        var jobs = ReadJobs(root.GetSection("jobs"), routes);

        if (_problems.Count > 0)
        {
            throw new ConfigException([.. _problems]);
        }

        return new SwitchyardConfig
        {
            Storage = storage,
            Server = server,
            Providers = providers,
            Routes = routes,
            Presets = presets,
            Outbound = outbound,
            Telemetry = telemetry,
            Alerts = alerts,
            Webhooks = webhooks,
            Jobs = jobs,
        };
    }

    private TelemetryConfig ReadTelemetry(IConfigurationSection section)
    {
        CheckKeys(section, "telemetry", TelemetryKeys);
        Uri? endpoint = null;
        if (section["otlp_endpoint"] is { Length: > 0 } raw && (!Uri.TryCreate(raw, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            Problem("telemetry.otlp_endpoint", $"'{raw}' is not an http(s) URL");
            endpoint = null;
        }

        return new TelemetryConfig { OtlpEndpoint = endpoint, ServiceName = section["service_name"] is { Length: > 0 } name ? name : "switchyard" };
    }

    private StorageConfig ReadStorage(IConfigurationSection section)
    {
        CheckKeys(section, "storage", StorageKeys);
        var database = section["database"] is { Length: > 0 } db ? db : "sqlite:data/switchyard.db";
        var missing = new List<string>();

        // A PostgreSQL password is a secret: written as ${NAME} in the URL, read from the environment.
        database = Substitute(database, missing) ?? database;
        if (missing.Count > 0)
        {
            Problem("storage.database", $"missing environment variable(s) {string.Join(", ", missing)}");
        }

        var artifacts = section["artifacts"] is { Length: > 0 } a ? a : "file:data/artifacts";
        if (!database.StartsWith("sqlite:", StringComparison.Ordinal) && !database.StartsWith("postgres://", StringComparison.Ordinal) && !database.StartsWith("postgresql://", StringComparison.Ordinal))
        {
            Problem("storage.database", $"'{Redact(database)}' is not a database URL; expected sqlite:PATH or postgres://user:pass@host/db");
        }
        else if (database.StartsWith("sqlite:", StringComparison.Ordinal) && database.Length == "sqlite:".Length)
        {
            Problem("storage.database", "sqlite: needs a file path, e.g. sqlite:data/switchyard.db");
        }
        else if (!database.StartsWith("sqlite:", StringComparison.Ordinal)
            && (!Uri.TryCreate(database, UriKind.Absolute, out var url) || string.IsNullOrEmpty(url.Host)))
        {
            Problem("storage.database", $"'{Redact(database)}' is not a PostgreSQL URL; expected postgres://user:pass@host:port/db");
        }

        S3StorageConfig? s3 = null;
        if (artifacts.StartsWith("s3://", StringComparison.Ordinal))
        {
            s3 = ReadS3(artifacts, section.GetSection("s3"));
        }
        else if (!artifacts.StartsWith("file:", StringComparison.Ordinal) || artifacts.Length == "file:".Length)
        {
            Problem("storage.artifacts", $"'{artifacts}' is not an artifact store; expected file:PATH or s3://bucket/prefix");
        }
        else if (section.GetSection("s3").GetChildren().Any())
        {
            Problem("storage.s3", "only used when storage.artifacts is s3://bucket/prefix");
        }

        var redis = section["redis"] ?? "";
        if (redis.Length > 0
            && (!Uri.TryCreate(redis, UriKind.Absolute, out var redisUrl) || redisUrl.Scheme is not ("redis" or "rediss") || string.IsNullOrEmpty(redisUrl.Host)))
        {
            Problem("storage.redis", $"'{Redact(redis)}' is not a Redis URL; expected redis://[:password@]host[:port][/db], or empty for in-process limits and circuits");
        }

        return new StorageConfig
        {
            Database = database,
            Artifacts = artifacts,
            S3 = s3,
            Redis = redis,
            ArtifactUrlTtl = ReadDuration(section, "artifact_url_ttl", "storage.artifact_url_ttl", TimeSpan.FromHours(1)),
            Retention = ReadRetention(section),
        };
    }

    private S3StorageConfig? ReadS3(string artifacts, IConfigurationSection section)
    {
        CheckKeys(section, "storage.s3", S3Keys);
        var rest = artifacts["s3://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        var valid = true;
        if (!BucketPattern().IsMatch(bucket))
        {
            Problem("storage.artifacts", $"'{bucket}' is not an S3 bucket name (3 to 63 lowercase letters, digits, '.' and '-'); write s3://bucket/prefix");
            valid = false;
        }

        if (prefix.Contains("//", StringComparison.Ordinal) || prefix.Contains("..", StringComparison.Ordinal))
        {
            Problem("storage.artifacts", $"the prefix '{prefix}' may not contain '//' or '..'");
            valid = false;
        }

        Uri? endpoint = null;
        if (section["endpoint"] is { Length: > 0 } rawEndpoint)
        {
            if (!Uri.TryCreate(rawEndpoint, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps) || endpoint.UserInfo.Length > 0)
            {
                Problem("storage.s3.endpoint", $"'{Redact(rawEndpoint)}' is not an http(s) URL without credentials, e.g. http://127.0.0.1:9000");
                valid = false;
            }
        }

        var region = section["region"] is { Length: > 0 } r ? r.Trim() : "us-east-1";
        var accessKey = ReadStorageSecret(section, "access_key", "storage.s3.access_key");
        var secretKey = ReadStorageSecret(section, "secret_key", "storage.s3.secret_key");
        if ((section["access_key"] is null) != (section["secret_key"] is null))
        {
            Problem(section["access_key"] is null ? "storage.s3.access_key" : "storage.s3.secret_key", "give both access_key and secret_key, or neither (the SDK's default credentials)");
            valid = false;
        }

        var pathStyle = endpoint is not null;
        if (section["path_style"] is { } rawPathStyle && !bool.TryParse(rawPathStyle, out pathStyle))
        {
            Problem("storage.s3.path_style", $"'{rawPathStyle}' is not true or false");
            valid = false;
        }

        return valid
            ? new S3StorageConfig { Bucket = bucket, Prefix = prefix, Endpoint = endpoint, Region = region, AccessKey = accessKey, SecretKey = secretKey, PathStyle = pathStyle }
            : null;
    }

    // Storage keys, like the database password, are needed to start: a missing one is a problem, not a skipped provider.
    private Secret? ReadStorageSecret(IConfigurationSection section, string key, string path)
    {
        if (section[key] is not { } raw)
        {
            return null;
        }

        var match = VariablePattern().Match(raw);
        if (!match.Success || match.Value != raw.Trim())
        {
            Problem(path, "write secrets as ${ENV_NAME}; a key in the file would be stored and shown");
            return null;
        }

        var name = match.Groups[1].Value;
        var secret = new Secret(name, _environment(name));
        if (!secret.IsPresent)
        {
            Problem(path, $"missing environment variable {name}");
            return null;
        }

        return secret;
    }

    // "0" or an empty value keeps runs forever; otherwise at least an hour, so a typo such as 30m cannot wipe the ledger.
    private TimeSpan? ReadRetention(IConfigurationSection section)
    {
        var raw = section["retention"];
        if (raw is null)
        {
            return StorageConfig.DefaultRetention;
        }

        if (raw.Trim().Length == 0 || (Duration.TryParse(raw, out var parsed) && parsed == TimeSpan.Zero))
        {
            return null;
        }

        return ReadDuration(section, "retention", "storage.retention", StorageConfig.DefaultRetention, TimeSpan.FromHours(1));
    }

    private ServerConfig ReadServer(IConfigurationSection section)
    {
        CheckKeys(section, "server", ServerKeys);
        var defaults = new ServerConfig();
        return new ServerConfig
        {
            Urls = section["urls"] is { Length: > 0 } urls ? urls : defaults.Urls,
            MaxRequestBytes = ReadInt(section, "max_request_bytes", "server.max_request_bytes", (int)defaults.MaxRequestBytes, 1024, int.MaxValue),
            MaxPromptChars = ReadInt(section, "max_prompt_chars", "server.max_prompt_chars", defaults.MaxPromptChars, 1, 1_000_000),
            MaxJsonRequestBytes = ReadInt(section, "max_json_request_bytes", "server.max_json_request_bytes", (int)defaults.MaxJsonRequestBytes, 1024, int.MaxValue),
            UnknownFields = ReadUnknownFields(section["unknown_fields"]),
        };
    }

    private UnknownFieldsPolicy ReadUnknownFields(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return UnknownFieldsPolicy.Ignore;
        }

        if (Enum.TryParse<UnknownFieldsPolicy>(text.Trim(), ignoreCase: true, out var policy) && !int.TryParse(text, out _))
        {
            return policy;
        }

        Problem("server.unknown_fields", $"'{text}' is not one of ignore, reject");
        return UnknownFieldsPolicy.Ignore;
    }

    private Dictionary<string, ProviderConfig> ReadProviders(IConfigurationSection section)
    {
        var result = new Dictionary<string, ProviderConfig>(StringComparer.Ordinal);
        if (section.Value is { Length: > 0 })
        {
            Problem("providers", "expected a map of provider names to settings");
        }

        foreach (var child in section.GetChildren())
        {
            var path = $"providers.{child.Key}";
            if (!NamePattern().IsMatch(child.Key))
            {
                Problem(path, "a provider name may use letters, digits, '-' and '_' only");
                continue;
            }

            var type = child["type"];
            if (string.IsNullOrEmpty(type))
            {
                Problem($"{path}.type", $"missing; expected one of: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            if (!_factories.TryGetValue(type, out var factory))
            {
                Problem($"{path}.type", $"unknown provider type '{type}'; expected one of: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}");
                continue;
            }

            var missing = new List<string>();
            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in Flatten(child))
            {
                var top = key.Split(':')[0];
                if (!ProviderKeys.Contains(top, StringComparer.Ordinal))
                {
                    settings[key] = Substitute(value, missing) ?? "";
                }
            }

            var baseUrl = Substitute(child["base_url"], missing);
            if (baseUrl is { Length: > 0 } && !Uri.TryCreate(baseUrl, UriKind.Absolute, out _))
            {
                Problem($"{path}.base_url", $"'{baseUrl}' is not an absolute URL");
            }

            Secret? apiKey = null;
            if (child["api_key"] is { } rawKey)
            {
                var match = VariablePattern().Match(rawKey);
                if (match.Success && match.Value == rawKey)
                {
                    var name = match.Groups[1].Value;
                    apiKey = new Secret(name, _environment(name));
                    if (!apiKey.IsPresent)
                    {
                        missing.Add(name);
                    }
                }
                else
                {
                    Problem($"{path}.api_key", "write secrets as ${ENV_NAME}; a key in the file would be stored and shown");
                }
            }

            var retrySection = child.GetSection("retry");
            CheckKeys(retrySection, $"{path}.retry", RetryKeys);
            var retryDefaults = new RetryConfig();
            var retry = new RetryConfig
            {
                MaxAttempts = ReadInt(retrySection, "max_attempts", $"{path}.retry.max_attempts", retryDefaults.MaxAttempts, 1, 10),
                BaseDelay = ReadDuration(retrySection, "base_delay", $"{path}.retry.base_delay", retryDefaults.BaseDelay),
                MaxDelay = ReadDuration(retrySection, "max_delay", $"{path}.retry.max_delay", retryDefaults.MaxDelay),
                MaxRetryAfter = ReadDuration(retrySection, "max_retry_after", $"{path}.retry.max_retry_after", retryDefaults.MaxRetryAfter),
            };
            if (retry.MaxDelay < retry.BaseDelay)
            {
                Problem($"{path}.retry.max_delay", "must not be shorter than base_delay");
            }

            var breakerSection = child.GetSection("circuit_breaker");
            CheckKeys(breakerSection, $"{path}.circuit_breaker", BreakerKeys);
            var breakerDefaults = new CircuitBreakerConfig();
            var breaker = new CircuitBreakerConfig
            {
                FailureRatio = ReadDouble(breakerSection, "failure_ratio", $"{path}.circuit_breaker.failure_ratio", breakerDefaults.FailureRatio, 0.01, 1),
                MinimumThroughput = ReadInt(breakerSection, "minimum_throughput", $"{path}.circuit_breaker.minimum_throughput", breakerDefaults.MinimumThroughput, 2, 100_000),
                Sampling = ReadDuration(breakerSection, "sampling", $"{path}.circuit_breaker.sampling", breakerDefaults.Sampling, TimeSpan.FromMilliseconds(500)),
                Break = ReadDuration(breakerSection, "break", $"{path}.circuit_breaker.break", breakerDefaults.Break, TimeSpan.FromMilliseconds(500)),
            };

            var rateSection = child.GetSection("rate_limit");
            CheckKeys(rateSection, $"{path}.rate_limit", RateKeys);
            var rate = new RateLimitConfig
            {
                Rpm = ReadInt(rateSection, "rpm", $"{path}.rate_limit.rpm", 0, 0, 100_000_000),
                Concurrency = ReadInt(rateSection, "concurrency", $"{path}.rate_limit.concurrency", 0, 0, 100_000),
                Queue = ReadInt(rateSection, "queue", $"{path}.rate_limit.queue", 0, 0, 100_000),
            };

            var models = new Dictionary<Modality, IReadOnlyList<string>>();
            foreach (var modalitySection in child.GetSection("models").GetChildren())
            {
                if (!WireNames.TryParseModality(modalitySection.Key, out var modality))
                {
                    Problem($"{path}.models.{modalitySection.Key}", "unknown modality; expected image, text or speech");
                    continue;
                }

                models[modality] = ReadList(modalitySection);
            }

            var timeout = ReadDuration(child, "timeout", $"{path}.timeout", TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(1));
            var totalTimeout = ReadDuration(child, "total_timeout", $"{path}.total_timeout", (timeout * retry.MaxAttempts) + (retry.MaxDelay * (retry.MaxAttempts - 1)), TimeSpan.FromMilliseconds(1));
            if (totalTimeout < timeout)
            {
                Problem($"{path}.total_timeout", "must not be shorter than timeout");
            }

            var config = new ProviderConfig
            {
                Name = child.Key,
                Type = type,
                BaseUrl = baseUrl is { Length: > 0 } ? baseUrl : null,
                ApiKey = apiKey,
                Timeout = timeout,
                TotalTimeout = totalTimeout,
                Retry = retry,
                CircuitBreaker = breaker,
                RateLimit = rate,
                Models = models,
                Prices = ReadPrices(child.GetSection("prices"), $"{path}.prices"),
                Settings = settings,
                MissingSecrets = missing,
            };
            _problems.AddRange(factory.Validate(config, path));
            result[child.Key] = config;
        }

        return result;
    }

    private Dictionary<string, ModelPrice> ReadPrices(IConfigurationSection section, string path)
    {
        var prices = new Dictionary<string, ModelPrice>(StringComparer.Ordinal);
        foreach (var model in section.GetChildren())
        {
            var at = $"{path}.{model.Key}";
            CheckKeys(model, at, PriceKeys);
            prices[model.Key] = new ModelPrice
            {
                PerImage = ReadPrice(model, "per_image", $"{at}.per_image"),
                PerImageBySize = ReadPriceMap(model.GetSection("per_image_by_size"), $"{at}.per_image_by_size"),
                PerImageByQuality = ReadPriceMap(model.GetSection("per_image_by_quality"), $"{at}.per_image_by_quality"),
                Per1kInputTokens = ReadPrice(model, "per_1k_input_tokens", $"{at}.per_1k_input_tokens"),
                Per1kOutputTokens = ReadPrice(model, "per_1k_output_tokens", $"{at}.per_1k_output_tokens"),
                Per1kChars = ReadPrice(model, "per_1k_chars", $"{at}.per_1k_chars"),
            };
        }

        return prices;
    }

    private Dictionary<string, decimal> ReadPriceMap(IConfigurationSection section, string path)
    {
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var entry in section.GetChildren())
        {
            if (ReadPrice(section, entry.Key, $"{path}.{entry.Key}") is { } price)
            {
                map[entry.Key] = price;
            }
        }

        return map;
    }

    private decimal? ReadPrice(IConfiguration section, string key, string path)
    {
        var raw = section[key];
        if (raw is null)
        {
            return null;
        }

        if (!decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var price) || price < 0)
        {
            Problem(path, $"'{raw}' is not a price in US dollars (a number of 0 or more, e.g. 0.04)");
            return null;
        }

        return price;
    }

    private Dictionary<string, RouteConfig> ReadRoutes(IConfigurationSection section, Dictionary<string, ProviderConfig> providers)
    {
        var result = new Dictionary<string, RouteConfig>(StringComparer.Ordinal);
        foreach (var child in section.GetChildren())
        {
            var path = $"routes.{child.Key}";
            CheckKeys(child, path, RouteKeys);
            if (!WireNames.TryParseModality(child["modality"], out var modality))
            {
                Problem($"{path}.modality", child["modality"] is null ? "missing; expected image, text or speech" : $"'{child["modality"]}' is not a modality; expected image, text or speech");
            }

            if (child.Key.Contains('/', StringComparison.Ordinal))
            {
                Problem(path, "a route name may not contain '/' (that form names provider/model)");
            }

            var chain = new List<RouteStep>();
            var steps = child.GetSection("chain").GetChildren().ToList();
            if (steps.Count == 0)
            {
                Problem($"{path}.chain", "missing or empty; a route needs at least one step");
            }

            foreach (var step in steps)
            {
                var stepPath = $"{path}.chain[{step.Key}]";
                CheckKeys(step, stepPath, StepKeys);
                var providerName = step["provider"];
                if (string.IsNullOrEmpty(providerName))
                {
                    Problem($"{stepPath}.provider", "missing");
                    continue;
                }

                if (!providers.ContainsKey(providerName))
                {
                    Problem($"{stepPath}.provider", $"'{providerName}' is not defined under providers");
                    continue;
                }

                chain.Add(new RouteStep(providerName, step["model"] is { Length: > 0 } m ? m : null));
            }

            var action = ContentRejectedAction.Next;
            if (child["on_content_rejected"] is { } onRejected && !Enum.TryParse(onRejected, ignoreCase: true, out action))
            {
                Problem($"{path}.on_content_rejected", $"'{onRejected}' is not one of next, fail, placeholder");
            }

            var cacheSection = child.GetSection("cache");
            CheckKeys(cacheSection, $"{path}.cache", CacheKeys);
            TimeSpan? cacheTtl = cacheSection["ttl"] is null ? null : ReadDuration(cacheSection, "ttl", $"{path}.cache.ttl", TimeSpan.Zero, TimeSpan.FromSeconds(1));
            var hedgeSection = child.GetSection("hedge");
            CheckKeys(hedgeSection, $"{path}.hedge", HedgeKeys);
            TimeSpan? hedgeDelay = hedgeSection["delay"] is null ? null : ReadDuration(hedgeSection, "delay", $"{path}.hedge.delay", TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
            result[child.Key] = new RouteConfig
            {
                Name = child.Key,
                Modality = modality,
                Chain = chain,
                OnContentRejected = action,
                Prompt = ReadPromptRules(child.GetSection("prompt"), $"{path}.prompt", providers),
                CacheTtl = cacheTtl,
                HedgeDelay = hedgeDelay,
            };
        }

        return result;
    }

    private PromptRules ReadPromptRules(IConfigurationSection section, string path, Dictionary<string, ProviderConfig> providers)
    {
        CheckKeys(section, path, PromptKeys);
        int? maxLength = section["max_length"] is null ? null : ReadInt(section, "max_length", $"{path}.max_length", 0, 1, 1_000_000);
        var byProvider = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var entry in section.GetSection("max_length_by_provider").GetChildren())
        {
            if (!providers.ContainsKey(entry.Key))
            {
                Problem($"{path}.max_length_by_provider.{entry.Key}", $"'{entry.Key}' is not defined under providers");
                continue;
            }

            byProvider[entry.Key] = ReadInt(section.GetSection("max_length_by_provider"), entry.Key, $"{path}.max_length_by_provider.{entry.Key}", int.MaxValue, 1, 1_000_000);
        }

        var deny = ReadList(section.GetSection("deny"));
        for (var i = 0; i < deny.Count; i++)
        {
            try
            {
                _ = new Regex(deny[i], RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
            }
            catch (ArgumentException ex)
            {
                Problem($"{path}.deny[{i}]", $"not a valid regular expression: {ex.Message}");
            }
        }

        var clean = true;
        if (section["clean"] is { } rawClean && !bool.TryParse(rawClean, out clean))
        {
            Problem($"{path}.clean", $"'{rawClean}' is not true or false");
        }

        return new PromptRules { MaxLength = maxLength, MaxLengthByProvider = byProvider, Deny = deny, Clean = clean };
    }

    private Dictionary<string, PresetConfig> ReadPresets(IConfigurationSection section, Dictionary<string, RouteConfig> routes)
    {
        var result = new Dictionary<string, PresetConfig>(StringComparer.Ordinal);
        foreach (var child in section.GetChildren())
        {
            var path = $"presets.{child.Key}";
            CheckKeys(child, path, PresetKeys);
            if (routes.ContainsKey(child.Key))
            {
                Problem(path, $"'{child.Key}' is also a route; routes and presets share one namespace");
            }

            var route = child["route"];
            if (string.IsNullOrEmpty(route) || !routes.ContainsKey(route))
            {
                Problem($"{path}.route", route is null ? "missing" : $"'{route}' is not defined under routes");
            }

            double? strength = null;
            if (child["strength"] is { } rawStrength)
            {
                if (double.TryParse(rawStrength, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s is >= 0 and <= 1)
                {
                    strength = s;
                }
                else
                {
                    Problem($"{path}.strength", $"'{rawStrength}' is not a number from 0 to 1");
                }
            }

            result[child.Key] = new PresetConfig
            {
                Name = child.Key,
                Route = route ?? "",
                Prompt = child["prompt"],
                NegativePrompt = child["negative_prompt"],
                Strength = strength,
                Style = child["style"],
            };
        }

        return result;
    }

    private void CheckKeys(IConfiguration section, string path, string[] known)
    {
        foreach (var child in section.GetChildren())
        {
            if (!known.Contains(child.Key, StringComparer.Ordinal))
            {
                var where = path.Length == 0 ? child.Key : $"{path}.{child.Key}";
                Problem(where, known.Length == 0 ? "unknown key; this section takes no settings yet" : $"unknown key; expected one of: {string.Join(", ", known)}");
            }
        }
    }

    private int ReadInt(IConfiguration section, string key, string path, int fallback, int min, int max)
    {
        var raw = section[key];
        if (raw is null)
        {
            return fallback;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Problem(path, $"'{raw}' is not a whole number from {min} to {max}");
            return fallback;
        }

        return value;
    }

    private double ReadDouble(IConfiguration section, string key, string path, double fallback, double min, double max)
    {
        var raw = section[key];
        if (raw is null)
        {
            return fallback;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Problem(path, $"'{raw}' is not a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            return fallback;
        }

        return value;
    }

    private TimeSpan ReadDuration(IConfiguration section, string key, string path, TimeSpan fallback, TimeSpan? min = null)
    {
        var raw = section[key];
        if (raw is null)
        {
            return fallback;
        }

        if (!Duration.TryParse(raw, out var value) || (min is { } floor && value < floor))
        {
            Problem(path, $"'{raw}' is not a duration{(min is { } m ? " of at least " + Duration.Format(m) : "")}; write e.g. 250ms, 60s, 5m");
            return fallback;
        }

        return value;
    }

    private static List<string> ReadList(IConfigurationSection section)
    {
        if (section.Value is { Length: > 0 } single)
        {
            return [single];
        }

        return [.. section.GetChildren().Select(c => c.Value).OfType<string>()];
    }

    private static IEnumerable<(string Key, string Value)> Flatten(IConfigurationSection section)
    {
        foreach (var pair in section.AsEnumerable(makePathsRelative: true))
        {
            if (pair.Value is not null)
            {
                yield return (pair.Key, pair.Value);
            }
        }
    }

    private string? Substitute(string? value, List<string> missing)
    {
        if (value is null)
        {
            return null;
        }

        return VariablePattern().Replace(value, match =>
        {
            var name = match.Groups[1].Value;
            var resolved = _environment(name);
            if (string.IsNullOrEmpty(resolved))
            {
                missing.Add(name);
                return "";
            }

            return resolved;
        });
    }

    private static string Redact(string url) => UserInfoPattern().Replace(url, "://***@");

    private void Problem(string path, string message) => _problems.Add(new ConfigProblem(path, message));

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex VariablePattern();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("://[^@/]+@")]
    private static partial Regex UserInfoPattern();
}
