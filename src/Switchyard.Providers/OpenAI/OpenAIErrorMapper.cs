using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchyard.Generation;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// Maps what an OpenAI-style upstream answered (status, error body, headers) or what the transport threw to the
/// contract's <see cref="ProviderFailure"/>. Understands OpenAI's <c>{"error":{message,type,param,code}}</c>,
/// vLLM's flat <c>{"object":"error","message",…}</c>, Ollama's <c>{"error":"…"}</c> and AI/ML API's
/// <c>{"message","path","requestId","statusCode","timestamp"}</c>. Messages are redacted of anything key-like.
/// </summary>
internal static partial class OpenAIErrorMapper
{
    private const int MaxMessageLength = 400;

    /// <summary>The failure for a non-success HTTP answer.</summary>
    /// <param name="label">Prefix of the message, e.g. the provider's name.</param>
    /// <param name="status">The HTTP status.</param>
    /// <param name="body">The response body, if any.</param>
    /// <param name="headers">The response headers (Retry-After and the rate-limit hints).</param>
    /// <param name="now">The current time, to turn an HTTP-date Retry-After into a delay.</param>
    /// <param name="secret">The key sent, removed from any echoed text.</param>
    public static ProviderFailure FromResponse(string label, int status, string? body, HttpHeaders? headers, DateTimeOffset now, string? secret = null)
    {
        var error = Parse(body);
        var message = error.Message is { Length: > 0 } m ? Clean(m, secret) : DefaultMessage(status, body, secret);
        var details = Details(error);
        var text = $"{label}: HTTP {status}: {message}{details}";

        if (IsQuota(error))
        {
            return Failure(ErrorClass.Misconfigured, $"{label}: HTTP {status}: quota exhausted: add credit or raise the limit ({message})", status, "insufficient_quota");
        }

        switch (status)
        {
            case >= 300 and < 400:
                // The address without its query: a signed link's query may hold a token.
                var location = (headers as HttpResponseHeaders)?.Location?.OriginalString.Split('?')[0];
                return Failure(
                    ErrorClass.Misconfigured,
                    $"{label}: HTTP {status}: the server redirects{(location is null ? "" : $" to {location}")}; redirects are not followed (they would resend the key): point base_url at the final address",
                    status,
                    "redirect");
            case 401 or 403:
                return Failure(ErrorClass.Auth, text, status, error.Code ?? (status == 401 ? "invalid_api_key" : "forbidden"));
            case 402:
                return Failure(ErrorClass.Misconfigured, $"{label}: HTTP 402: payment required: add credit ({message})", status, error.Code ?? "insufficient_quota");
            case 429:
                return Failure(ErrorClass.RateLimited, text, status, error.Code ?? "rate_limit_exceeded") with { RetryAfter = headers is null ? null : RetryAfter(headers, now) };
            case 404:
                // The route names the model or the base_url names the server: either way the operator's config, not the caller.
                return IsModelNotFound(error)
                    ? Failure(ErrorClass.Misconfigured, text, status, "model_not_found")
                    : Failure(ErrorClass.Misconfigured, $"{text} (check base_url: the server has no such endpoint)", status, error.Code ?? "not_found");
            case 408 or 425:
                return Failure(ErrorClass.Unavailable, text, status, error.Code ?? "request_timeout");
            case >= 500:
                return Failure(ErrorClass.Unavailable, text, status, error.Code ?? "server_error");
        }

        if (IsContentRejection(error))
        {
            return Failure(ErrorClass.ContentRejected, text, status, error.Code ?? "content_policy_violation");
        }

        if (status is >= 400 and < 500)
        {
            return Failure(ErrorClass.InvalidRequest, text, status, error.Code ?? error.Type ?? "invalid_request_error");
        }

        return Failure(ErrorClass.Unavailable, $"{label}: unexpected HTTP {status}: {message}", status, "unexpected_status");
    }

    /// <summary>The failure for an <c>error</c> event inside a stream (the HTTP status was already 200).</summary>
    public static ProviderFailure FromStreamError(string label, JsonElement error, string? secret = null)
    {
        var parsed = ParseErrorElement(error);
        var message = Clean(parsed.Message ?? "the stream reported an error", secret);
        var text = $"{label}: stream error: {message}{Details(parsed)}";
        var errorClass = IsContentRejection(parsed) ? ErrorClass.ContentRejected
            : IsQuota(parsed) ? ErrorClass.Misconfigured
            : parsed.Code is "rate_limit_exceeded" || parsed.Type is "rate_limit_error" or "requests" or "tokens" ? ErrorClass.RateLimited
            : ErrorClass.Unavailable;
        return new ProviderFailure { Class = errorClass, Message = text, Code = parsed.Code ?? parsed.Type ?? "stream_error", Step = "receive" };
    }

    /// <summary>The failure for a transport exception (connection refused, DNS, TLS, reset). Cancellation is not mapped: the caller rethrows it.</summary>
    public static ProviderFailure FromException(string label, Exception exception, string step)
    {
        var detail = exception switch
        {
            HttpRequestException { InnerException: SocketException socket } => $"{socket.SocketErrorCode}: {socket.Message}",
            HttpRequestException { InnerException: AuthenticationException tls } => $"TLS: {tls.Message}",
            HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } http => $"{http.HttpRequestError}: {http.Message}",
            _ => $"{exception.GetType().Name}: {exception.Message}",
        };
        var code = step == "send" ? "connection_failed" : "read_failed";
        return new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{label}: {(step == "send" ? "could not reach the server" : "the connection failed while reading the answer")}: {Clean(detail, null)}", Code = code, Step = step };
    }

    /// <summary>
    /// How long the upstream asks to wait: <c>retry-after-ms</c>, else <c>retry-after</c> (seconds or an HTTP date), else the
    /// <c>x-ratelimit-reset-requests</c>/<c>-tokens</c> of the exhausted limit (Go-style durations such as <c>1s</c>, <c>6m0s</c>, <c>20ms</c>).
    /// </summary>
    public static TimeSpan? RetryAfter(HttpHeaders headers, DateTimeOffset now)
    {
        if (First(headers, "retry-after-ms") is { } ms && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0 && double.IsFinite(millis))
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (First(headers, "retry-after") is { } after)
        {
            if (double.TryParse(after, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds))
            {
                return TimeSpan.FromSeconds(seconds);
            }

            if (DateTimeOffset.TryParse(after, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - now;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        TimeSpan? best = null;
        TimeSpan? any = null;
        foreach (var dimension in (string[])["requests", "tokens"])
        {
            if (First(headers, $"x-ratelimit-reset-{dimension}") is not { } reset || ParseGoDuration(reset) is not { } value)
            {
                continue;
            }

            any = any is null || value > any ? value : any;
            if (First(headers, $"x-ratelimit-remaining-{dimension}") is "0")
            {
                best = best is null || value > best ? value : best;
            }
        }

        return best ?? any;
    }

    /// <summary>Parses Go-style durations as OpenAI writes them in <c>x-ratelimit-reset-*</c>: <c>1h2m3.5s</c>, <c>20ms</c>, <c>6m0s</c>.</summary>
    public static TimeSpan? ParseGoDuration(string text)
    {
        var matches = GoDurationPart().Matches(text.Trim());
        if (matches.Count == 0 || matches.Sum(m => m.Length) != text.Trim().Length)
        {
            return null;
        }

        var total = 0.0;
        foreach (Match match in matches)
        {
            var number = double.Parse(match.Groups["n"].Value, NumberStyles.Float, CultureInfo.InvariantCulture);
            total += match.Groups["u"].Value switch
            {
                "h" => number * 3_600_000,
                "m" => number * 60_000,
                "s" => number * 1000,
                "ms" => number,
                "us" or "µs" => number / 1000,
                _ => number / 1_000_000,
            };
        }

        return TimeSpan.FromMilliseconds(total);
    }

    /// <summary>Removes anything key-like (<c>sk-…</c> keys, bearer tokens, the configured key) and cuts long text.</summary>
    public static string Clean(string text, string? secret)
    {
        if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
        {
            text = text.Replace(secret, "[redacted]", StringComparison.Ordinal);
        }

        text = KeyLike().Replace(text, "[redacted]");
        text = BearerLike().Replace(text, "Bearer [redacted]");
        text = WhiteSpace().Replace(text, " ").Trim();
        return text.Length > MaxMessageLength ? text[..MaxMessageLength] + "…" : text;
    }

    /// <summary>The fields of an error body, whatever its shape; all null when it is not JSON.</summary>
    internal static ParsedError Parse(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return default;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return default;
            }

            if (root.TryGetProperty("error", out var error))
            {
                return error.ValueKind switch
                {
                    JsonValueKind.Object => ParseErrorElement(error),
                    JsonValueKind.String => new ParsedError(error.GetString(), null, null, null),
                    _ => ParseErrorElement(root),
                };
            }

            return ParseErrorElement(root);
        }
        catch (JsonException)
        {
            return default;
        }
    }

    private static ParsedError ParseErrorElement(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return new ParsedError(element.ValueKind == JsonValueKind.String ? element.GetString() : null, null, null, null);
        }

        return new ParsedError(Text(element, "message") ?? Text(element, "detail"), Text(element, "type"), Text(element, "param"), Text(element, "code"));
    }

    // A member as text: strings as they are, numbers as digits, arrays of strings (NestJS validation messages) joined.
    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.Array => string.Join("; ", value.EnumerateArray().Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : v.GetRawText())),
            _ => null,
        };
    }

    private static bool IsQuota(ParsedError error) =>
        error.Code is "insufficient_quota" || error.Type is "insufficient_quota" || error.Code is "billing_hard_limit_reached";

    private static bool IsContentRejection(ParsedError error) =>
        error.Code is "content_policy_violation" or "moderation_blocked" or "content_filter"
        || (error.Message is { } message && SafetyWords().IsMatch(message));

    private static bool IsModelNotFound(ParsedError error) =>
        error.Code is "model_not_found" || (error.Message is { } message && ModelMissing().IsMatch(message));

    private static string Details(ParsedError error)
    {
        var parts = new List<string>(2);
        if (error.Code is { } code)
        {
            parts.Add($"code: {code}");
        }

        if (error.Param is { } param)
        {
            parts.Add($"param: {param}");
        }

        return parts.Count == 0 ? string.Empty : $" ({string.Join(", ", parts)})";
    }

    private static string DefaultMessage(int status, string? body, string? secret)
    {
        var reason = status switch
        {
            400 => "Bad Request",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "Not Found",
            408 => "Request Timeout",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "error",
        };

        // A proxy's HTML page says little; plain text often says what went wrong.
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart().StartsWith('<'))
        {
            return reason;
        }

        return $"{reason}: {Clean(body, secret)}";
    }

    private static ProviderFailure Failure(ErrorClass errorClass, string message, int status, string? code) =>
        new() { Class = errorClass, Message = message, HttpStatus = status, Code = code, Step = "receive" };

    private static string? First(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault()?.Trim() : null;

    [GeneratedRegex(@"(?<n>\d+(?:\.\d+)?)(?<u>h|ms|us|µs|ns|m|s)", RegexOptions.CultureInvariant)]
    private static partial Regex GoDurationPart();

    [GeneratedRegex(@"\b(?:sk|pk|rk)-[A-Za-z0-9_\-\*]{6,}", RegexOptions.CultureInvariant)]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"Bearer\s+\S+", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex BearerLike();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhiteSpace();

    [GeneratedRegex(@"safety system|content policy|content_policy|safety checker|nsfw", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SafetyWords();

    [GeneratedRegex(@"model\b.*\b(?:does not exist|not found|not exist)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex ModelMissing();
}
