using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Cloudflare;

/// <summary>
/// The zero-cost probe: <c>GET {base_url}/user/tokens/verify</c> (is the token active?) and
/// <c>GET {base_url}/accounts/{account_id}/ai/models/search</c> (does the account exist, may the token use Workers AI
/// there, and which models does it serve?). Neither runs a model.
/// </summary>
internal sealed partial class CloudflareWorkersAiProvider : IProviderProbe
{
    private const int ModelsPerPage = 100;
    private const int MaxModelPages = 10;

    /// <summary>
    /// Verifies the token, then lists the account's Workers AI models. An account-owned token fails the user-level
    /// verification but may still list models, so only the listing decides; the verification adds the token's status
    /// (disabled, expired) to the answer. Cancellation propagates.
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!Readiness.IsReady)
        {
            return new ProbeResult(false, Readiness.Problem ?? "misconfigured", $"complete providers.{Name}");
        }

        var tokenVariable = _config.ApiKey?.Variable is { } variable ? $"${{{variable}}}" : $"providers.{Name}.api_key";

        // 1. The token itself.
        var verify = await GetAsync("/user/tokens/verify", cancellationToken).ConfigureAwait(false);
        if (verify.Unreachable is { } unreachable)
        {
            return unreachable;
        }

        string? tokenStatus = null;
        if (verify.Status == 200 && verify.Root is { } verified && verified.TryGetProperty("result", out var result)
            && result.ValueKind == JsonValueKind.Object && result.TryGetProperty("status", out var statusValue))
        {
            tokenStatus = statusValue.GetString();
            if (tokenStatus is not "active")
            {
                return new ProbeResult(false, $"the API token is {tokenStatus ?? "not active"} (Cloudflare /user/tokens/verify)", $"create a new token with Workers AI permission and put it in {tokenVariable}");
            }
        }

        // 2. The account and the token's permission there, with the models it serves.
        var served = new List<string>();
        var complete = false;
        for (var page = 1; page <= MaxModelPages; page++)
        {
            var listing = await GetAsync($"/accounts/{Uri.EscapeDataString(_options.AccountId)}/ai/models/search?per_page={ModelsPerPage}&page={page}", cancellationToken).ConfigureAwait(false);
            if (listing.Unreachable is { } down)
            {
                return down;
            }

            if (listing.Status != 200 || listing.Root is not { } root || root.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.False)
            {
                return ListingFailed(listing, tokenStatus, tokenVariable);
            }

            if (!root.TryGetProperty("result", out var models) || models.ValueKind != JsonValueKind.Array)
            {
                return new ProbeResult(false, "the Workers AI model listing answered 200 without a result list", $"check providers.{Name}.base_url points at https://api.cloudflare.com/client/v4");
            }

            var count = 0;
            foreach (var model in models.EnumerateArray())
            {
                count++;
                if (model.ValueKind == JsonValueKind.Object && model.TryGetProperty("name", out var name) && name.GetString() is { Length: > 0 } text)
                {
                    served.Add(text);
                }
            }

            var totalPages = root.TryGetProperty("result_info", out var info) && info.ValueKind == JsonValueKind.Object
                && info.TryGetProperty("total_pages", out var pages) && pages.TryGetInt32(out var total) ? total : (int?)null;
            if (count < ModelsPerPage || (totalPages is { } last && page >= last))
            {
                complete = true;
                break;
            }
        }

        var detail = string.Create(CultureInfo.InvariantCulture, $"reachable, token {(tokenStatus is null ? "accepted" : "active")}, account {_options.AccountId} lists {served.Count} Workers AI models");
        return complete
            ? new ProbeResult(true, detail, null, served.Distinct(StringComparer.Ordinal).ToList())
            : new ProbeResult(true, detail + " (more than listed here; route models are not compared)");
    }

    private ProbeResult ListingFailed(ProbeAnswer listing, string? tokenStatus, string tokenVariable)
    {
        var envelope = listing.Text is null ? null : CloudflareErrors.ReadEnvelope(listing.Text);
        var errors = envelope?.Errors ?? [];
        var codes = errors.Select(e => e.Code).ToHashSet();
        var said = errors.Count > 0
            ? string.Join("; ", errors.Take(3).Select(e => $"{e.Code.ToString(CultureInfo.InvariantCulture)} {UpstreamHttp.Shorten(e.Message)}"))
            : UpstreamHttp.Shorten(listing.Text);
        var account = _options.AccountId;

        if (codes.Contains(CloudflareErrors.CouldNotRoute) || codes.Contains(CloudflareErrors.NoRoute) || listing.Status == 404)
        {
            return new ProbeResult(false, $"account {account} was not found (HTTP {listing.Status}: {said})",
                $"check providers.{Name}.account_id: it is the 32-hex-digit id on the Workers AI page of the Cloudflare dashboard");
        }

        if (codes.Contains(CloudflareErrors.AuthenticationError) || codes.Contains(CloudflareErrors.InvalidToken) || codes.Contains(CloudflareErrors.MissingAuthHeaders)
            || listing.Status is 401 or 403)
        {
            return tokenStatus == "active"
                ? new ProbeResult(false, $"the API token is valid but may not use Workers AI on account {account} (HTTP {listing.Status}: {said})",
                    $"give the token in {tokenVariable} the Workers AI Read (or Edit) permission on account {account}, or check providers.{Name}.account_id")
                : UpstreamProbe.Rejected(Name, _config.ApiKey, listing.Status, said, "API token") with
                {
                    Fix = $"check the token in {tokenVariable} — is it a Cloudflare API token (not the Global API Key) with Workers AI permission on account {account}, and not revoked?",
                };
        }

        var failure = CloudflareErrors.Map(Name, "the model listing", listing.Status, listing.Text ?? string.Empty, null);
        return new ProbeResult(false, $"{failure.Class.ToWire()}: {failure.Message}", UpstreamProbe.FixFor(failure.Class, Name));
    }

    private async Task<ProbeAnswer> GetAsync(string path, CancellationToken cancellationToken)
    {
        var url = _baseUrl + path;
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _config.ApiKey!.Reveal());
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonElement? root = null;
            try
            {
                using var document = JsonDocument.Parse(text);
                root = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not JSON (an edge's HTML page): the status and text speak for it.
            }

            Log.Probed(_logger, Name, path.Split('?')[0], (int)response.StatusCode);
            return new ProbeAnswer((int)response.StatusCode, text, root, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            Log.ConnectionFailed(_logger, Name, path.Split('?')[0], exception.Message);
            return new ProbeAnswer(0, null, null, UpstreamProbe.Unreachable(Name, url, exception));
        }
    }

    private sealed record ProbeAnswer(int Status, string? Text, JsonElement? Root, ProbeResult? Unreachable);
}
