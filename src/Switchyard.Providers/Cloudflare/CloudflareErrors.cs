using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Generation;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.Cloudflare;

/// <summary>
/// Maps Workers AI answers to the contract's error classes: the HTTP status together with the envelope's
/// <c>errors[].code</c> (see docs/providers.md for the table and what is documented versus assumed).
/// </summary>
internal static partial class CloudflareErrors
{
    /// <summary>Authentication error (bad or missing token, or a token not valid for this account).</summary>
    public const int AuthenticationError = 10000;

    /// <summary>Missing X-Auth-Key, X-Auth-Email or Authorization headers.</summary>
    public const int MissingAuthHeaders = 9106;

    /// <summary>Invalid access token.</summary>
    public const int InvalidToken = 9109;

    /// <summary>No route for that URI (wrong account id or model path).</summary>
    public const int NoRoute = 7000;

    /// <summary>Could not route to the URI, perhaps the object identifier is invalid.</summary>
    public const int CouldNotRoute = 7003;

    /// <summary>Account limited: the daily free allocation of neurons is used up.</summary>
    public const int AccountLimited = 3036;

    /// <summary>Out of capacity: no more data centres to forward the request to.</summary>
    public const int OutOfCapacity = 3040;

    /// <summary>Assumed code of an input refused by a safety filter (not in the published error table).</summary>
    public const int ContentFlagged = 3030;

    private static readonly int[] AuthCodes = [AuthenticationError, MissingAuthHeaders, InvalidToken];
    private static readonly int[] ModelCodes = [NoRoute, CouldNotRoute, 5007, 3042];
    private static readonly int[] TimeoutCodes = [3007, 3008];

    /// <summary>Reads the envelope of a JSON body; null when the body is not one (e.g. an HTML error page of the edge).</summary>
    public static CloudflareEnvelope? ReadEnvelope(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, CloudflareJsonContext.Default.CloudflareEnvelope);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The failure an answer with <paramref name="status"/> and <paramref name="body"/> stands for.</summary>
    public static ProviderFailure Map(string provider, string model, int status, string body, TimeSpan? retryAfter)
    {
        var envelope = ReadEnvelope(body);
        var errors = envelope?.Errors ?? [];
        var first = errors.Count > 0 ? errors[0] : null;
        var codes = errors.Select(e => e.Code).ToList();
        var detail = first is null
            ? UpstreamHttp.Shorten(envelope is null ? body : null)
            : string.Join("; ", errors.Take(3).Select(e => $"{e.Code.ToString(CultureInfo.InvariantCulture)} {UpstreamHttp.Shorten(e.Message)}"));
        var code = first?.Code.ToString(CultureInfo.InvariantCulture);
        var said = $"{provider}: Workers AI answered {status} for {model}: {detail}";

        ProviderFailure Failure(ErrorClass errorClass, string message, string? failureCode = null, TimeSpan? wait = null) => new()
        {
            Class = errorClass,
            Message = message,
            HttpStatus = status,
            Code = failureCode ?? code ?? $"http_{status.ToString(CultureInfo.InvariantCulture)}",
            RetryAfter = wait,
            Step = "receive",
        };

        if (codes.Intersect(AuthCodes).Any())
        {
            return Failure(ErrorClass.Auth, $"{said} (check the API token and that it may use Workers AI on this account)");
        }

        if (codes.Contains(ContentFlagged) || errors.Any(e => e.Message is { } m && ContentWords().IsMatch(m)))
        {
            return Failure(ErrorClass.ContentRejected, said, "content_rejected");
        }

        if (codes.Contains(OutOfCapacity))
        {
            return Failure(ErrorClass.Unavailable, said, wait: retryAfter);
        }

        if (status == 429 || codes.Contains(AccountLimited))
        {
            return Failure(ErrorClass.RateLimited, said, wait: retryAfter);
        }

        if (status == 404 || codes.Intersect(ModelCodes).Any())
        {
            return Failure(ErrorClass.Misconfigured, $"{said} (the model name or the account id is wrong)", "model_not_found");
        }

        if (status is 401 or 403)
        {
            return Failure(ErrorClass.Auth, said);
        }

        if (status == 408 || codes.Intersect(TimeoutCodes).Any())
        {
            return Failure(ErrorClass.Timeout, said);
        }

        if (status >= 500)
        {
            return Failure(ErrorClass.Unavailable, said);
        }

        if (status >= 400)
        {
            return Failure(ErrorClass.InvalidRequest, said);
        }

        // 200 with success:false and no code we know: the service failed, another try may not.
        return Failure(ErrorClass.Unavailable, $"{provider}: Workers AI answered success:false for {model}: {detail}", code ?? "success_false");
    }

    [GeneratedRegex(@"nsfw|content polic|content filter|moderation|flagged|unsafe content|safety", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ContentWords();
}
