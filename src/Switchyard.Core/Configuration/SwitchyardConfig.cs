using Switchyard.Generation;

namespace Switchyard.Configuration;

/// <summary>The validated configuration: what <c>switchyard.yaml</c> (or the embedded default) says, with defaults filled in.</summary>
public sealed record SwitchyardConfig
{
    /// <summary>Where the ledger, keys and artifacts live.</summary>
    public required StorageConfig Storage { get; init; }

    /// <summary>The HTTP server's settings.</summary>
    public required ServerConfig Server { get; init; }

    /// <summary>Providers by name.</summary>
    public required IReadOnlyDictionary<string, ProviderConfig> Providers { get; init; }

    /// <summary>Routes by name.</summary>
    public required IReadOnlyDictionary<string, RouteConfig> Routes { get; init; }

    /// <summary>Presets by name (same namespace as routes).</summary>
    public required IReadOnlyDictionary<string, PresetConfig> Presets { get; init; }

    /// <summary>Rules for URLs the gateway fetches or calls back.</summary>
    public required OutboundConfig Outbound { get; init; }

    /// <summary>Where traces and metrics go besides <c>/metrics</c>.</summary>
    public TelemetryConfig Telemetry { get; init; } = new();

    /// <summary>Alert rules and where their transitions are sent.</summary>
    public AlertsConfig Alerts { get; init; } = new();

    /// <summary>How webhook deliveries are tried.</summary>
    public WebhooksConfig Webhooks { get; init; } = new();
    /// <summary>How this process runs batch job items.</summary>
    public JobsConfig Jobs { get; init; } = new();
}

/// <summary>The <c>telemetry</c> section.</summary>
public sealed record TelemetryConfig
{
    /// <summary>An OTLP endpoint (e.g. <c>http://127.0.0.1:4317</c>) to export traces and metrics to; null: none.</summary>
    public Uri? OtlpEndpoint { get; init; }

    /// <summary>The service name reported in traces.</summary>
    public string ServiceName { get; init; } = "switchyard";
}

/// <summary>The <c>storage</c> section.</summary>
public sealed record StorageConfig
{
    /// <summary><c>sqlite:PATH</c> or <c>postgres://…</c>.</summary>
    public required string Database { get; init; }

    /// <summary><c>file:PATH</c> or <c>s3://bucket/prefix</c>.</summary>
    public required string Artifacts { get; init; }

    /// <summary>The bucket and its settings when <see cref="Artifacts"/> is <c>s3://</c>.</summary>
    public S3StorageConfig? S3 { get; init; }

    /// <summary>Redis URL, empty when in-process.</summary>
    public string Redis { get; init; } = "";

    /// <summary>How long a signed artifact link works.</summary>
    public TimeSpan ArtifactUrlTtl { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The retention when the config names none.</summary>
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(30);

    /// <summary>How long runs (and their attempts) are kept; null keeps them forever (<c>retention: 0</c>).</summary>
    public TimeSpan? Retention { get; init; } = DefaultRetention;

    /// <summary>The PostgreSQL URL when <see cref="Database"/> is <c>postgres://</c> or <c>postgresql://</c>.</summary>
    public string? PostgresUrl =>
        Database.StartsWith("postgres://", StringComparison.Ordinal) || Database.StartsWith("postgresql://", StringComparison.Ordinal) ? Database : null;

    /// <summary>The SQLite file path when <see cref="Database"/> is <c>sqlite:</c>.</summary>
    public string? SqlitePath => Database.StartsWith("sqlite:", StringComparison.Ordinal) ? Database["sqlite:".Length..] : null;

    /// <summary>The folder when <see cref="Artifacts"/> is <c>file:</c>.</summary>
    public string? ArtifactFolder => Artifacts.StartsWith("file:", StringComparison.Ordinal) ? Artifacts["file:".Length..] : null;
}

/// <summary>The <c>server</c> section.</summary>
public sealed record ServerConfig
{
    /// <summary>The listening URL(s).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:8080";

    /// <summary>The largest request body accepted, in bytes.</summary>
    public long MaxRequestBytes { get; init; } = 20 * 1024 * 1024;

    /// <summary>The longest prompt accepted, in characters.</summary>
    public int MaxPromptChars { get; init; } = 32_000;

    /// <summary>The largest body of the JSON-only endpoints (generations, chat, speech), in bytes; <c>images/edits</c> takes up to <see cref="MaxRequestBytes"/>.</summary>
    public long MaxJsonRequestBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>What a request field the endpoint does not know gets: ignored, or a 400 naming it.</summary>
    public UnknownFieldsPolicy UnknownFields { get; init; } = UnknownFieldsPolicy.Ignore;
}

/// <summary><c>server.unknown_fields</c>.</summary>
public enum UnknownFieldsPolicy
{
    /// <summary>Unknown request fields are ignored (as OpenAI-compatible servers usually do).</summary>
    Ignore,

    /// <summary>An unknown request field is a 400 naming it.</summary>
    Reject,
}

/// <summary>One entry under <c>providers</c>.</summary>
public sealed record ProviderConfig
{
    /// <summary>Its name (the key under <c>providers</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The adapter type.</summary>
    public required string Type { get; init; }

    /// <summary>The API's base URL, when the type has one.</summary>
    public string? BaseUrl { get; init; }

    /// <summary>The API key, read from an environment variable.</summary>
    public Secret? ApiKey { get; init; }

    /// <summary>The time one attempt may take.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The time all tries on this provider together may take (retries and their waits included).</summary>
    public TimeSpan TotalTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Retry settings.</summary>
    public RetryConfig Retry { get; init; } = new();

    /// <summary>Circuit breaker settings.</summary>
    public CircuitBreakerConfig CircuitBreaker { get; init; } = new();

    /// <summary>Local limits.</summary>
    public RateLimitConfig RateLimit { get; init; } = new();

    /// <summary>Models advertised per modality, when the config lists them.</summary>
    public IReadOnlyDictionary<Modality, IReadOnlyList<string>> Models { get; init; } = new Dictionary<Modality, IReadOnlyList<string>>();

    /// <summary>Type-specific settings (e.g. a sandbox's <c>latency</c> and <c>faults</c>), flattened with <c>:</c>, validated by the adapter's factory.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Prices per model, for the ledger's cost estimates.</summary>
    public IReadOnlyDictionary<string, ModelPrice> Prices { get; init; } = new Dictionary<string, ModelPrice>();

    /// <summary>Environment variables the provider references that are missing or empty.</summary>
    public IReadOnlyList<string> MissingSecrets { get; init; } = [];
}

/// <summary>Retry settings of a provider.</summary>
public sealed record RetryConfig
{
    /// <summary>Tries on one provider, counting the first.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The first backoff delay.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest backoff delay.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest Retry-After honoured on the same provider; a longer one moves on to the next tier instead of waiting.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>Circuit breaker settings of a provider.</summary>
public sealed record CircuitBreakerConfig
{
    /// <summary>The failure ratio that opens the circuit.</summary>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Calls in the window before it may open.</summary>
    public int MinimumThroughput { get; init; } = 10;

    /// <summary>The sampling window.</summary>
    public TimeSpan Sampling { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long it stays open.</summary>
    public TimeSpan Break { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Local limits of a provider (0 = none).</summary>
public sealed record RateLimitConfig
{
    /// <summary>Requests per minute.</summary>
    public int Rpm { get; init; }

    /// <summary>Calls in flight.</summary>
    public int Concurrency { get; init; }

    /// <summary>Calls that may wait for a free slot when the limits are reached (0: skip to the next tier at once).</summary>
    public int Queue { get; init; }
}

/// <summary>What a route does when a provider refuses a prompt on content grounds.</summary>
public enum ContentRejectedAction
{
    /// <summary>Try the next tier.</summary>
    Next,

    /// <summary>Fail the run.</summary>
    Fail,

    /// <summary>Serve the placeholder.</summary>
    Placeholder,
}

/// <summary>One step of a route's chain.</summary>
/// <param name="Provider">The provider's name.</param>
/// <param name="Model">The model, or null for the provider's default.</param>
public sealed record RouteStep(string Provider, string? Model)
{
    /// <summary><c>provider/model</c>, or the provider alone.</summary>
    public string Display => Model is null ? Provider : $"{Provider}/{Model}";
}

/// <summary>One entry under <c>routes</c>.</summary>
public sealed record RouteConfig
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>What it generates.</summary>
    public required Modality Modality { get; init; }

    /// <summary>Its tiers, first choice first.</summary>
    public required IReadOnlyList<RouteStep> Chain { get; init; }

    /// <summary>What to do on a content rejection.</summary>
    public ContentRejectedAction OnContentRejected { get; init; } = ContentRejectedAction.Next;

    /// <summary>Rules prompts must pass before any provider is called.</summary>
    public PromptRules Prompt { get; init; } = new();

    /// <summary>How long identical requests are served from the cache (null: off).</summary>
    public TimeSpan? CacheTtl { get; init; }

    /// <summary>When set, the next tier starts after this delay if the current one has not answered; the first good answer wins.</summary>
    public TimeSpan? HedgeDelay { get; init; }
}

/// <summary>Prompt rules of a route.</summary>
public sealed record PromptRules
{
    /// <summary>The longest prompt accepted on this route (null: the server's limit).</summary>
    public int? MaxLength { get; init; }

    /// <summary>The longest prompt each provider accepts; longer prompts skip that provider as not capable.</summary>
    public IReadOnlyDictionary<string, int> MaxLengthByProvider { get; init; } = new Dictionary<string, int>();

    /// <summary>Regular expressions (case-insensitive) that reject a prompt.</summary>
    public IReadOnlyList<string> Deny { get; init; } = [];

    /// <summary>Remove control and invisible format characters before sending.</summary>
    public bool Clean { get; init; } = true;
}

/// <summary>One entry under <c>presets</c>.</summary>
public sealed record PresetConfig
{
    /// <summary>Its name.</summary>
    public required string Name { get; init; }

    /// <summary>The route it runs on.</summary>
    public required string Route { get; init; }

    /// <summary>A prompt template; <c>{prompt}</c> stands for the caller's prompt, otherwise the caller's prompt is appended.</summary>
    public string? Prompt { get; init; }

    /// <summary>A negative prompt.</summary>
    public string? NegativePrompt { get; init; }

    /// <summary>Image-to-image strength, 0 to 1.</summary>
    public double? Strength { get; init; }

    /// <summary>A style hint.</summary>
    public string? Style { get; init; }
}

/// <summary>The <c>outbound</c> section.</summary>
public sealed record OutboundConfig
{
    /// <summary>Private or loopback CIDR ranges the gateway may reach.</summary>
    public IReadOnlyList<string> AllowPrivate { get; init; } = [];
}

/// <summary>What a model costs, in US dollars, as the config's price table says.</summary>
public sealed record ModelPrice
{
    /// <summary>Per generated image.</summary>
    public decimal? PerImage { get; init; }

    /// <summary>Per generated image of a given size (<c>WxH</c>), overriding <see cref="PerImage"/>.</summary>
    public IReadOnlyDictionary<string, decimal> PerImageBySize { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Per generated image of a given quality (e.g. <c>hd</c>), overriding the size and default prices.</summary>
    public IReadOnlyDictionary<string, decimal> PerImageByQuality { get; init; } = new Dictionary<string, decimal>();

    /// <summary>Per 1,000 input tokens.</summary>
    public decimal? Per1kInputTokens { get; init; }

    /// <summary>Per 1,000 output tokens.</summary>
    public decimal? Per1kOutputTokens { get; init; }

    /// <summary>Per 1,000 characters of speech input.</summary>
    public decimal? Per1kChars { get; init; }
}
