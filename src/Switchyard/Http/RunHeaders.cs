using System.Globalization;
using Switchyard.Generation;
using Switchyard.Ledger;

namespace Switchyard.Http;

/// <summary>The <c>x-switchyard-*</c> headers every generation response carries.</summary>
internal static class RunHeaders
{
    public static void Apply(HttpResponse response, RunRecord run, IReadOnlyList<AttemptRecord>? attempts = null, bool cacheHit = false)
    {
        var headers = response.Headers;
        headers["x-switchyard-run-id"] = run.Id;
        headers["x-switchyard-attempts"] = run.AttemptCount.ToString(CultureInfo.InvariantCulture);
        if (run.Route.Length > 0)
        {
            headers["x-switchyard-route"] = run.Route;
        }

        if (run.ServedProvider is { } provider)
        {
            headers["x-switchyard-provider"] = provider;
            headers["x-switchyard-model"] = run.ServedModel is { } model ? $"{provider}/{model}" : provider;
        }

        if (run.Outcome == RunOutcome.Degraded)
        {
            headers["x-switchyard-degraded"] = "true";
        }

        // A refusal stays visible even when a later tier served the request.
        var refused = attempts?.Where(a => a.ErrorClass == ErrorClass.ContentRejected).Select(a => a.Model is null ? a.Provider : $"{a.Provider}/{a.Model}").Distinct().ToList();
        if (refused is { Count: > 0 })
        {
            headers["x-switchyard-content-rejected"] = string.Join(", ", refused);
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
