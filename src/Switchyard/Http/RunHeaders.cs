using System.Globalization;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Http;

/// <summary>The <c>x-switchyard-*</c> headers every generation response carries.</summary>
internal static class RunHeaders
{
    /// <summary>
    /// A header value from text that may come from the caller (the requested model names the route of a refused
    /// request): printable ASCII as it is, anything else percent-encoded, since Kestrel refuses other characters.
    /// </summary>
    public static string Safe(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return string.Concat(text.Select(ch => ch is < ' ' or > '~' or '%' ? Uri.EscapeDataString(ch.ToString()) : ch.ToString()));
            }
        }

        return text;
    }

    public static void Apply(HttpResponse response, RunRecord run, IReadOnlyList<AttemptRecord>? attempts = null, bool cacheHit = false)
    {
        var headers = response.Headers;
        headers["x-switchyard-run-id"] = run.Id;
        headers["x-switchyard-attempts"] = run.AttemptCount.ToString(CultureInfo.InvariantCulture);
        if (run.Route.Length > 0)
        {
            headers["x-switchyard-route"] = Safe(run.Route);
        }

        if (run.ServedProvider is { } provider)
        {
            headers["x-switchyard-provider"] = Safe(provider);
            headers["x-switchyard-model"] = Safe(run.ServedModel is { } model ? $"{provider}/{model}" : provider);
        }

        if (run.Outcome == RunOutcome.Degraded)
        {
            headers["x-switchyard-degraded"] = "true";
        }

        // A refusal stays visible even when a later tier served the request.
        // (A loop, not a query: this runs on every response and a refusal is rare.)
        List<string>? refused = null;
        foreach (var attempt in attempts ?? [])
        {
            if (attempt.ErrorClass == ErrorClass.ContentRejected)
            {
                var name = attempt.Model is null ? attempt.Provider : $"{attempt.Provider}/{attempt.Model}";
                if (!(refused ??= []).Contains(name))
                {
                    refused.Add(name);
                }
            }
        }

        if (refused is not null)
        {
            headers["x-switchyard-content-rejected"] = Safe(string.Join(", ", refused));
        }

        if (cacheHit)
        {
            headers["x-switchyard-cache"] = "hit";
        }

        if (run.ServedProviderType == "sandbox")
        {
            headers["x-switchyard-sandbox"] = "true";
        }
    }
}
