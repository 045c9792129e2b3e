using System.Globalization;
using Microsoft.Extensions.Configuration;
using Switchyard.Generation;

namespace Switchyard.Configuration;

public sealed partial class ConfigLoader
{
    private static readonly string[] AlertsKeys = ["webhook", "evaluate_every", "min_runs", "rules"];
    private static readonly string[] AlertWebhookKeys = ["url", "secret"];
    private static readonly string[] AlertRuleKeys = ["kind", "route", "provider", "error_class", "below", "above", "window", "for", "severity"];

    private AlertsConfig ReadAlerts(IConfigurationSection section, Dictionary<string, RouteConfig> routes, Dictionary<string, ProviderConfig> providers)
    {
        CheckKeys(section, "alerts", AlertsKeys);
        var defaults = new AlertsConfig();
        var missing = new List<string>();
        var webhook = ReadAlertWebhook(section.GetSection("webhook"), missing);
        var rules = new Dictionary<string, AlertRuleConfig>(StringComparer.Ordinal);
        foreach (var child in section.GetSection("rules").GetChildren())
        {
            if (ReadAlertRule(child, $"alerts.rules.{child.Key}", routes, providers) is { } rule)
            {
                rules[child.Key] = rule;
            }
        }

        return new AlertsConfig
        {
            Webhook = webhook,
            EvaluateEvery = ReadDuration(section, "evaluate_every", "alerts.evaluate_every", defaults.EvaluateEvery, TimeSpan.FromSeconds(1)),
            MinRuns = ReadInt(section, "min_runs", "alerts.min_runs", defaults.MinRuns, 1, 1_000_000),
            Rules = rules,
            MissingSecrets = missing,
        };
    }

    private AlertWebhookConfig? ReadAlertWebhook(IConfigurationSection section, List<string> missing)
    {
        CheckKeys(section, "alerts.webhook", AlertWebhookKeys);
        var rawUrl = section["url"];
        var rawSecret = section["secret"];
        if (string.IsNullOrEmpty(rawUrl) && rawSecret is null)
        {
            return null;
        }

        Uri? url = null;
        if (string.IsNullOrEmpty(rawUrl))
        {
            Problem("alerts.webhook.url", "missing; the webhook needs an http(s) URL");
        }
        else if (!Uri.TryCreate(rawUrl, UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.UserInfo.Length > 0)
        {
            Problem("alerts.webhook.url", $"'{Redact(rawUrl)}' is not an http(s) URL without credentials");
            url = null;
        }

        if (rawSecret is null)
        {
            Problem("alerts.webhook.secret", "missing; write the signing secret as ${ENV_NAME} holding whsec_ followed by base64");
            return null;
        }

        var match = VariablePattern().Match(rawSecret);
        if (!match.Success || match.Value != rawSecret)
        {
            Problem("alerts.webhook.secret", "write secrets as ${ENV_NAME}; a secret in the file would be stored and shown");
            return null;
        }

        var name = match.Groups[1].Value;
        var secret = new Secret(name, _environment(name));
        if (!secret.IsPresent)
        {
            // Like a provider's missing key: start anyway, with webhooks off, and let doctor name the variable.
            missing.Add(name);
            return null;
        }

        if (!Webhooks.StandardWebhook.IsValidSecret(secret.Reveal()!))
        {
            Problem("alerts.webhook.secret", $"the value of ${{{name}}} is not a Standard Webhooks secret; expected whsec_ followed by base64 of at least 24 bytes");
            return null;
        }

        return url is null ? null : new AlertWebhookConfig { Url = url, Secret = secret };
    }

    private AlertRuleConfig? ReadAlertRule(IConfigurationSection rule, string path, Dictionary<string, RouteConfig> routes, Dictionary<string, ProviderConfig> providers)
    {
        CheckKeys(rule, path, AlertRuleKeys);
        var ok = true;
        AlertKind kind = default;
        switch (rule["kind"])
        {
            case null or "":
                Problem($"{path}.kind", "missing; expected one of: success_rate, error_rate, circuit_open, placeholder_share, queue_age");
                ok = false;
                break;
            case "success_rate": kind = AlertKind.SuccessRate; break;
            case "error_rate": kind = AlertKind.ErrorRate; break;
            case "circuit_open": kind = AlertKind.CircuitOpen; break;
            case "placeholder_share": kind = AlertKind.PlaceholderShare; break;
            case "queue_age": kind = AlertKind.QueueAge; break;
            case var other:
                Problem($"{path}.kind", $"unknown kind '{other}'; expected one of: success_rate, error_rate, circuit_open, placeholder_share, queue_age");
                ok = false;
                break;
        }

        var severity = AlertSeverity.Warning;
        switch (rule["severity"])
        {
            case null or "warning": break;
            case "critical": severity = AlertSeverity.Critical; break;
            case var other:
                Problem($"{path}.severity", $"'{other}' is not one of critical, warning");
                break;
        }

        var route = rule["route"] is { Length: > 0 } r ? r : null;
        if (route is not null && !routes.ContainsKey(route))
        {
            Problem($"{path}.route", $"'{route}' is not defined under routes");
        }

        var provider = rule["provider"] is { Length: > 0 } p ? p : null;
        if (provider is not null && !providers.ContainsKey(provider))
        {
            Problem($"{path}.provider", $"'{provider}' is not defined under providers");
        }

        ErrorClass? errorClass = null;
        if (rule["error_class"] is { } rawClass)
        {
            if (WireNames.TryParseErrorClass(rawClass, out var parsed))
            {
                errorClass = parsed;
            }
            else
            {
                Problem($"{path}.error_class", $"'{rawClass}' is not an error class; expected one of: {string.Join(", ", Enum.GetValues<ErrorClass>().Select(c => c.ToWire()))}");
            }
        }

        var below = ReadRatio(rule, "below", $"{path}.below");
        var isQueueAge = rule["kind"] == "queue_age";
        var above = isQueueAge ? null : ReadRatio(rule, "above", $"{path}.above");
        TimeSpan? olderThan = isQueueAge && rule["above"] is not null ? ReadDuration(rule, "above", $"{path}.above", TimeSpan.Zero, TimeSpan.FromSeconds(1)) : null;
        var window = rule["window"] is null ? (TimeSpan?)null : ReadDuration(rule, "window", $"{path}.window", TimeSpan.Zero, TimeSpan.FromSeconds(1));
        var forDuration = ReadDuration(rule, "for", $"{path}.for", TimeSpan.Zero);
        if (!ok)
        {
            return null;
        }

        // Which settings each kind needs, and which it would silently ignore (reported instead).
        var needsWindow = kind is not (AlertKind.CircuitOpen or AlertKind.QueueAge);
        if (needsWindow && window is null)
        {
            Problem($"{path}.window", "missing; write the sliding window, e.g. 5m or 15m");
        }
        else if (!needsWindow && window is not null)
        {
            Problem($"{path}.window", kind == AlertKind.QueueAge
                ? "queue_age takes no window: it reads the queue as it is; write the age as 'above' (e.g. 10m)"
                : "circuit_open takes no window; write how long the circuit must stay open as 'for'");
        }

        if (kind == AlertKind.SuccessRate)
        {
            if (rule["below"] is null)
            {
                Problem($"{path}.below", "missing; success_rate fires below this share, from 0 to 1 (e.g. 0.8)");
            }

            NotFor(rule, "above", path, "success_rate fires 'below' a share");
        }
        else if (kind is AlertKind.ErrorRate or AlertKind.PlaceholderShare)
        {
            if (rule["above"] is null)
            {
                Problem($"{path}.above", $"missing; {Wire(kind)} fires above this share, from 0 to 1 (e.g. 0.1)");
            }

            NotFor(rule, "below", path, $"{Wire(kind)} fires 'above' a share");
        }
        else if (kind == AlertKind.QueueAge)
        {
            if (rule["above"] is null)
            {
                Problem($"{path}.above", "missing; queue_age fires when the oldest ready job item has waited longer than this (e.g. 10m)");
            }

            NotFor(rule, "below", path, "queue_age fires 'above' an age");
            NotFor(rule, "route", path, "the job queue is one queue");
            NotFor(rule, "provider", path, "the job queue is one queue");
        }
        else
        {
            NotFor(rule, "below", path, "circuit_open has no threshold besides 'for'");
            NotFor(rule, "above", path, "circuit_open has no threshold besides 'for'");
            NotFor(rule, "route", path, "a circuit belongs to a provider");
            if (provider is null)
            {
                Problem($"{path}.provider", "missing; circuit_open watches one provider's circuit");
            }
        }

        if (kind == AlertKind.ErrorRate && rule["error_class"] is null)
        {
            Problem($"{path}.error_class", "missing; error_rate counts one error class (e.g. rate_limited)");
        }
        else if (kind != AlertKind.ErrorRate)
        {
            NotFor(rule, "error_class", path, "only error_rate counts an error class");
        }

        if (kind == AlertKind.PlaceholderShare)
        {
            NotFor(rule, "provider", path, "the placeholder share is a share of runs; narrow it with 'route'");
        }

        return new AlertRuleConfig
        {
            Name = rule.Key,
            Kind = kind,
            Severity = severity,
            Route = route,
            Provider = provider,
            ErrorClass = errorClass,
            Below = below,
            Above = above,
            OlderThan = olderThan,
            Window = window ?? TimeSpan.Zero,
            For = forDuration,
        };
    }

    private void NotFor(IConfigurationSection rule, string key, string path, string why)
    {
        if (rule[key] is not null)
        {
            Problem($"{path}.{key}", $"not used by kind {rule["kind"]}: {why}");
        }
    }

    private double? ReadRatio(IConfigurationSection rule, string key, string path)
    {
        if (rule[key] is not { } raw)
        {
            return null;
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value is >= 0 and <= 1)
        {
            return value;
        }

        Problem(path, $"'{raw}' is not a share from 0 to 1 (e.g. 0.8 for 80%)");
        return null;
    }

    private static string Wire(AlertKind kind) => Alerts.AlertWire.ToWire(kind);
}
