using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Stability;

/// <summary>The zero-cost probe: <c>GET {base_url}/v1/user/balance</c> (the key's credit balance), never a generation.</summary>
internal sealed partial class StabilityProvider : IProviderProbe
{
    private const string BalancePath = "/v1/user/balance";

    /// <summary>
    /// Asks for the account's credit balance with the key: 200 <c>{"credits": N}</c> is reachable and accepted (a zero
    /// balance is a failure: every generation would answer 402); 401/403 is a rejected key naming its variable.
    /// Stability lists no Stable Image models, so no served models are reported. Cancellation propagates.
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (!Readiness.IsReady)
        {
            return new ProbeResult(false, Readiness.Problem ?? "misconfigured", $"set providers.{Name}.api_key");
        }

        var url = _baseUrl + BalancePath;
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        var secret = _config.ApiKey!.Reveal();
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (_options.ClientId is { } clientId)
        {
            message.Headers.TryAddWithoutValidation("stability-client-id", clientId);
        }

        int status;
        string text;
        try
        {
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
            status = (int)response.StatusCode;
            text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            Log.ConnectionFailed(_logger, Name, BalancePath, exception.Message);
            return UpstreamProbe.Unreachable(Name, url, exception);
        }

        Log.Probed(_logger, Name, BalancePath, status);
        if (status is 401 or 403)
        {
            var error = StabilityErrors.Read(text);
            var said = error?.Message ?? (error?.Errors is { Count: > 0 } errors ? string.Join("; ", errors.Take(3)) : null) ?? error?.Name ?? (status == 401 ? "Unauthorized" : "Forbidden");
            return UpstreamProbe.Rejected(Name, _config.ApiKey, status, Redact(UpstreamHttp.Shorten(said), secret));
        }

        if (status != 200)
        {
            var failure = StabilityErrors.Map(Name, "the balance check", status, text, null);
            return new ProbeResult(false, $"{failure.Class.ToWire()}: {Redact(failure.Message, secret)}", status == 404
                ? $"check providers.{Name}.base_url: it should be the API root (https://api.stability.ai), without a path"
                : UpstreamProbe.FixFor(failure.Class, Name));
        }

        double? credits = null;
        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("credits", out var value) && value.TryGetDouble(out var number))
            {
                credits = number;
            }
        }
        catch (JsonException)
        {
            // Left null: answered below.
        }

        if (credits is not { } balance)
        {
            return new ProbeResult(false, $"{url} answered 200 without a credit balance", $"check providers.{Name}.base_url points at the Stability API (https://api.stability.ai)");
        }

        var shown = balance.ToString("0.##", CultureInfo.InvariantCulture);
        return balance <= 0
            ? new ProbeResult(false, $"reachable and key accepted, but the account has no credits (credits {shown}): every generation would answer 402", "add credits at platform.stability.ai")
            : new ProbeResult(true, $"reachable, key accepted, credits {shown}");
    }

    private static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) || secret.Length < 4 ? text : text.Replace(secret, "[redacted]", StringComparison.Ordinal);
}
