using Microsoft.Extensions.Configuration;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers;

namespace Switchyard.Core.Tests.Alerts;

public sealed class AlertConfigTests
{
    private const string GoodSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    private static readonly IProviderFactory[] Factories = [new NamedFactory("sandbox"), new NamedFactory("placeholder")];

    private static SwitchyardConfig Load(Dictionary<string, string?> values, Dictionary<string, string>? environment = null)
    {
        var root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return new ConfigLoader(Factories, name => environment?.GetValueOrDefault(name)).Load(root);
    }

    private static Dictionary<string, string?> Minimal() => new()
    {
        ["providers:a:type"] = "sandbox",
        ["providers:p:type"] = "placeholder",
        ["routes:image:modality"] = "image",
        ["routes:image:chain:0:provider"] = "a",
        ["routes:image:chain:1:provider"] = "p",
    };

    [Fact]
    public void Load_NoAlerts_DefaultsWithNoRulesAndNoWebhook()
    {
        var alerts = Load(Minimal()).Alerts;

        Assert.Empty(alerts.Rules);
        Assert.Null(alerts.Webhook);
        Assert.Equal(TimeSpan.FromSeconds(30), alerts.EvaluateEvery);
        Assert.Equal(20, alerts.MinRuns);
    }

    [Fact]
    public void Load_FullSection_ReadsEveryRule()
    {
        var values = Minimal();
        values["alerts:webhook:url"] = "https://hooks.example.com/switchyard";
        values["alerts:webhook:secret"] = "${ALERT_SECRET}";
        values["alerts:evaluate_every"] = "10s";
        values["alerts:min_runs"] = "5";
        values["alerts:rules:image-critical:kind"] = "success_rate";
        values["alerts:rules:image-critical:route"] = "image";
        values["alerts:rules:image-critical:below"] = "0.8";
        values["alerts:rules:image-critical:window"] = "15m";
        values["alerts:rules:image-critical:severity"] = "critical";
        values["alerts:rules:throttled:kind"] = "error_rate";
        values["alerts:rules:throttled:provider"] = "a";
        values["alerts:rules:throttled:error_class"] = "rate_limited";
        values["alerts:rules:throttled:above"] = "0.1";
        values["alerts:rules:throttled:window"] = "5m";
        values["alerts:rules:throttled:for"] = "1m";
        values["alerts:rules:breaker:kind"] = "circuit_open";
        values["alerts:rules:breaker:provider"] = "a";
        values["alerts:rules:breaker:for"] = "2m";
        values["alerts:rules:fallback:kind"] = "placeholder_share";
        values["alerts:rules:fallback:above"] = "0.2";
        values["alerts:rules:fallback:window"] = "5m";

        var alerts = Load(values, new() { ["ALERT_SECRET"] = GoodSecret }).Alerts;

        Assert.Equal(new Uri("https://hooks.example.com/switchyard"), alerts.Webhook!.Url);
        Assert.Equal(GoodSecret, alerts.Webhook.Secret.Reveal());
        Assert.Equal(TimeSpan.FromSeconds(10), alerts.EvaluateEvery);
        Assert.Equal(5, alerts.MinRuns);
        var critical = alerts.Rules["image-critical"];
        Assert.Equal((AlertKind.SuccessRate, AlertSeverity.Critical, "image", 0.8, TimeSpan.FromMinutes(15)), (critical.Kind, critical.Severity, critical.Route, critical.Below!.Value, critical.Window));
        var throttled = alerts.Rules["throttled"];
        Assert.Equal((AlertKind.ErrorRate, AlertSeverity.Warning, "a", ErrorClass.RateLimited, 0.1, TimeSpan.FromMinutes(1)), (throttled.Kind, throttled.Severity, throttled.Provider, throttled.ErrorClass!.Value, throttled.Above!.Value, throttled.For));
        Assert.Equal(TimeSpan.FromMinutes(2), alerts.Rules["breaker"].For);
        Assert.Equal(AlertKind.PlaceholderShare, alerts.Rules["fallback"].Kind);
    }

    [Fact]
    public void Load_MissingWebhookSecretVariable_StartsWithWebhooksOffAndNamesTheVariable()
    {
        var values = Minimal();
        values["alerts:webhook:url"] = "https://hooks.example.com/switchyard";
        values["alerts:webhook:secret"] = "${ALERT_SECRET}";

        var alerts = Load(values).Alerts;

        Assert.Null(alerts.Webhook);
        Assert.Equal(["ALERT_SECRET"], alerts.MissingSecrets);
    }

    [Fact]
    public void Load_BadAlerts_ReportsEveryProblemWithItsPath()
    {
        var values = Minimal();
        values["alerts:webhook:url"] = "ftp://hooks.example.com";
        values["alerts:webhook:secret"] = "whsec_literal";
        values["alerts:evaluate_every"] = "0s";
        values["alerts:min_runs"] = "0";
        values["alerts:colour"] = "red";
        values["alerts:rules:a:kind"] = "latency";
        values["alerts:rules:b:kind"] = "success_rate";
        values["alerts:rules:b:route"] = "video";
        values["alerts:rules:b:below"] = "1.5";
        values["alerts:rules:c:kind"] = "error_rate";
        values["alerts:rules:c:provider"] = "nobody";
        values["alerts:rules:c:error_class"] = "boom";
        values["alerts:rules:c:above"] = "0.1";
        values["alerts:rules:c:window"] = "5m";
        values["alerts:rules:d:kind"] = "circuit_open";
        values["alerts:rules:d:window"] = "5m";
        values["alerts:rules:e:kind"] = "queue_age";
        values["alerts:rules:f:kind"] = "placeholder_share";
        values["alerts:rules:f:window"] = "5m";
        values["alerts:rules:f:severity"] = "page";
        values["alerts:rules:f:threshold"] = "0.1";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        var paths = ex.Problems.Select(p => p.Path).ToHashSet();
        string[] expected =
        [
            "alerts.webhook.url", "alerts.webhook.secret", "alerts.evaluate_every", "alerts.min_runs", "alerts.colour",
            "alerts.rules.a.kind", "alerts.rules.b.route", "alerts.rules.b.below", "alerts.rules.b.window",
            "alerts.rules.c.provider", "alerts.rules.c.error_class", "alerts.rules.d.window", "alerts.rules.d.provider",
            "alerts.rules.e.above", "alerts.rules.f.severity", "alerts.rules.f.threshold", "alerts.rules.f.above",
        ];
        Assert.All(expected, p => Assert.Contains(p, paths));
        Assert.Contains(ex.Problems, p => p.Path == "alerts.rules.e.above" && p.Message.Contains("oldest ready job item", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_QueueAge_ReadsAboveAsADuration()
    {
        var values = Minimal();
        values["alerts:rules:backlog:kind"] = "queue_age";
        values["alerts:rules:backlog:above"] = "10m";
        values["alerts:rules:backlog:for"] = "1m";

        var rule = Load(values).Alerts.Rules["backlog"];

        Assert.Equal((AlertKind.QueueAge, (TimeSpan?)TimeSpan.FromMinutes(10), TimeSpan.FromMinutes(1)), (rule.Kind, rule.OlderThan, rule.For));
        Assert.Equal(600, rule.Threshold);
    }

    [Fact]
    public void Load_QueueAge_WithAWindowOrRouteOrARatio_EveryProblemNamed()
    {
        var values = Minimal();
        values["alerts:rules:backlog:kind"] = "queue_age";
        values["alerts:rules:backlog:above"] = "0.5";
        values["alerts:rules:backlog:window"] = "5m";
        values["alerts:rules:backlog:route"] = "image";

        var ex = Assert.Throws<ConfigException>(() => Load(values));

        Assert.Equal(
            ["alerts.rules.backlog.above", "alerts.rules.backlog.route", "alerts.rules.backlog.window"],
            ex.Problems.Select(p => p.Path).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Load_SecretNotInStandardWebhooksForm_IsAProblemThatDoesNotShowTheValue()
    {
        var values = Minimal();
        values["alerts:webhook:url"] = "https://hooks.example.com/switchyard";
        values["alerts:webhook:secret"] = "${ALERT_SECRET}";

        var ex = Assert.Throws<ConfigException>(() => Load(values, new() { ["ALERT_SECRET"] = "hunter2-not-whsec" }));

        var problem = Assert.Single(ex.Problems);
        Assert.Equal("alerts.webhook.secret", problem.Path);
        Assert.DoesNotContain("hunter2", problem.Message, StringComparison.Ordinal);
    }

    private sealed class NamedFactory(string type) : IProviderFactory
    {
        public string Type => type;

        public IEnumerable<ConfigProblem> Validate(ProviderConfig config, string path) => [];

        public IGenerationProvider Create(ProviderConfig config, IServiceProvider services) => throw new InvalidOperationException("not used");
    }
}
