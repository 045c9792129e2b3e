using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Switchyard.Generation;
using Switchyard.Providers.Upstream;

namespace Switchyard.Providers.OpenAI;

/// <summary>The zero-cost probe: <c>GET {base_url}/models</c> with the key, never a generation.</summary>
internal sealed partial class OpenAIProvider : IProviderProbe
{
    // A model listing is small; this bounds a server that answers something else.
    private const long MaxListingBytes = 16L * 1024 * 1024;

    /// <summary>
    /// Lists the upstream's models with the configured key. 200: reachable, key accepted, the listed ids as the served models
    /// (for compatible servers such as Ollama or vLLM that is what they can run). 401/403: the key was rejected, naming its
    /// variable. A host that does not resolve, a refused connection and other statuses are named as such. Cancellation propagates.
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_baseUrl is null)
        {
            return new ProbeResult(false, "base_url is not set", $"set providers.{Name}.base_url");
        }

        const string path = "/models";
        var url = _baseUrl + path;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        var secret = _config.ApiKey?.Reveal();
        if (secret is { Length: > 0 })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }

        if (_options.Organization is { } organization)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Organization", organization);
        }

        if (_options.Project is { } project)
        {
            request.Headers.TryAddWithoutValidation("OpenAI-Project", project);
        }

        Log.Probing(_logger, Name, path);
        HttpResponseMessage response;
        try
        {
            response = await _http().SendStreamingAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or OperationCanceledException)
        {
            Log.TransportFailed(_logger, Name, path, exception.Message);
            return UpstreamProbe.Unreachable(Name, url, exception);
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            byte[]? body;
            try
            {
                body = await ReadBytesAsync(response.Content, response.IsSuccessStatusCode ? MaxListingBytes : MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException)
            {
                return new ProbeResult(false, $"{_baseUrl} answered HTTP {status} but the connection broke off: {UpstreamHttp.Shorten(exception.Message)}", "retry; if it persists, check the server or a proxy in between");
            }

            if (!response.IsSuccessStatusCode)
            {
                var text = body is null ? null : System.Text.Encoding.UTF8.GetString(body);
                Log.ProbeRefused(_logger, Name, path, status);
                if (status is 401 or 403)
                {
                    var error = OpenAIErrorMapper.Parse(text);
                    var message = error.Message is { Length: > 0 } m ? OpenAIErrorMapper.Clean(m, secret) : status == 401 ? "Unauthorized" : "Forbidden";
                    return UpstreamProbe.Rejected(Name, _config.ApiKey, status, message);
                }

                var failure = OpenAIErrorMapper.FromResponse(Name, status, text, response.Headers, _time.GetUtcNow(), secret);
                return new ProbeResult(false, $"{failure.Class.ToWire()}: {failure.Message}", status == 404
                    ? $"check providers.{Name}.base_url: it should end where the API's paths start (e.g. …/v1), so that {path} lists the models"
                    : UpstreamProbe.FixFor(failure.Class, Name));
            }

            if (body is null || ReadModelIds(body) is not { } ids)
            {
                return new ProbeResult(false, $"{url} answered 200 with something that is not a model list", $"check providers.{Name}.base_url points at an OpenAI-style API (its {path} lists models)");
            }

            var keyNote = _flavor.TypeName == AimlApiProviderFactory.TypeName
                ? "reachable, {0} models listed (AI/ML API's catalog is public: the key itself is first checked by a generation)"
                : secret is null ? "reachable (no key configured), {0} models listed" : "reachable, key accepted, {0} models listed";
            return new ProbeResult(true, string.Format(CultureInfo.InvariantCulture, keyNote, ids.Count), null, ids);
        }
    }

    /// <summary>The ids of an OpenAI-style listing (<c>{"object":"list","data":[{"id":…}]}</c>) or of a bare array; null when it is neither.</summary>
    internal static IReadOnlyList<string>? ReadModelIds(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var items = root.ValueKind switch
            {
                JsonValueKind.Array => root,
                JsonValueKind.Object when root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array => data,
                JsonValueKind.Object when root.TryGetProperty("models", out var models) && models.ValueKind == JsonValueKind.Array => models,
                _ => default,
            };
            if (items.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var ids = new List<string>();
            foreach (var item in items.EnumerateArray())
            {
                var id = item.ValueKind switch
                {
                    JsonValueKind.String => item.GetString(),
                    JsonValueKind.Object when item.TryGetProperty("id", out var value) && value.ValueKind == JsonValueKind.String => value.GetString(),
                    JsonValueKind.Object when item.TryGetProperty("name", out var value) && value.ValueKind == JsonValueKind.String => value.GetString(),
                    _ => null,
                };
                if (id is { Length: > 0 })
                {
                    ids.Add(id);
                }
            }

            return ids;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
