using System.Net.Http.Headers;
using Switchyard.Generation;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.OpenAI;

internal sealed partial class OpenAIProvider
{
    private const string ImagesPath = "/images/generations";
    private const string EditsPath = "/images/edits";

    public async ValueTask<ProviderResult<ImageOutput>> GenerateImageAsync(string? model, ImageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (NotReady(Modality.Image, model, out var resolved) is { } notReady)
        {
            return notReady;
        }

        // An edit the model cannot make is refused here too (the engine skips it as not_capable before calling).
        if (request.IsEdit && OpenAIModels.CheckImage(resolved, request, _flavor) is { } notCapable)
        {
            return new ProviderFailure { Class = ErrorClass.InvalidRequest, Message = $"{Name}: {notCapable}", Code = "not_capable", Step = "validate" };
        }

        var flux = OpenAIModels.IsFlux(resolved, _flavor);
        var path = request.IsEdit && !flux ? EditsPath : ImagesPath;
        HttpContent content = !request.IsEdit ? Json(BuildImageRequest(resolved, request), OpenAIJsonContext.Default.ImageGenerationRequest)
            : flux ? Json(BuildFluxEditRequest(resolved, request), OpenAIJsonContext.Default.ImageGenerationRequest)
            : BuildEditForm(resolved, request);
        var (response, failure) = await PostAsync(path, content, resolved, cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            return failure;
        }

        OpenAIWire.ImageGenerationResponse? parsed;
        using (response)
        {
            (parsed, failure) = await ReadJsonAsync(response!, OpenAIJsonContext.Default.ImageGenerationResponse, path, cancellationToken).ConfigureAwait(false);
        }

        if (failure is not null)
        {
            return failure;
        }

        if (parsed!.HasNsfwConcepts?.Contains(true) == true || parsed.Data?.Any(d => d.ContentViolation == true) == true)
        {
            return new ProviderFailure { Class = ErrorClass.ContentRejected, Message = $"{Name}: the provider's safety checker flagged the image", Code = "nsfw_content", Step = "receive" };
        }

        var images = new List<GeneratedImage>();
        foreach (var datum in parsed.Data ?? [])
        {
            var (bytes, itemFailure) = await ImageBytesAsync(datum.B64Json, datum.Url, cancellationToken).ConfigureAwait(false);
            if (itemFailure is not null)
            {
                return itemFailure;
            }

            images.Add(FluxEdit(flux, request, bytes) ?? new GeneratedImage(bytes, ImageSignature.ContentType(bytes, "image/png"), request.Width, request.Height, datum.RevisedPrompt));
        }

        foreach (var image in parsed.Images ?? [])
        {
            var (bytes, itemFailure) = await ImageBytesAsync(null, image.Url, cancellationToken).ConfigureAwait(false);
            if (itemFailure is not null)
            {
                return itemFailure;
            }

            images.Add(FluxEdit(flux, request, bytes) ?? new GeneratedImage(bytes, ImageSignature.ContentType(bytes, image.ContentType ?? "image/png"), image.Width ?? request.Width, image.Height ?? request.Height));
        }

        // No images is returned as such: the engine's output validator records it as empty_output.
        return new ImageOutput(images);
    }

    // Flux image-to-image answers at the input's size; the edit asked for request's size, so the output is fitted to it.
    private static GeneratedImage? FluxEdit(bool flux, ImageRequest request, byte[] bytes) =>
        flux && request.IsEdit && Upstream.UpstreamImage.Fit(bytes, request.Width, request.Height) is { } fitted
            ? new GeneratedImage(fitted, "image/png", request.Width, request.Height)
            : null;

    // AI/ML API's flux image-to-image: a JSON body on /images/generations with the input as a data: URL.
    private static OpenAIWire.ImageGenerationRequest BuildFluxEditRequest(string model, ImageRequest request)
    {
        var input = request.Inputs[0];
        return new OpenAIWire.ImageGenerationRequest
        {
            Model = OpenAIModels.FluxEditModel(model)!,
            Prompt = request.Prompt,
            ImageUrl = $"data:{input.ContentType};base64,{Convert.ToBase64String(input.Data.Span)}",
            Strength = request.Strength,
            NumImages = request.Count,
            Seed = request.Seed,
        };
    }

    /// <summary>
    /// <c>POST /images/edits</c> as multipart/form-data: gpt-image models take every input as an <c>image[]</c> part and
    /// answer base64 without <c>response_format</c>; dall-e-2 (and unknown models of compatible servers, with one input)
    /// take a single <c>image</c> part and are asked for <c>b64_json</c>. The mask, when given, is the <c>mask</c> part.
    /// </summary>
    private static MultipartFormDataContent BuildEditForm(string model, ImageRequest request)
    {
        var form = new MultipartFormDataContent();
        void Field(string name, string value) => form.Add(new StringContent(value, System.Text.Encoding.UTF8), name);
        void File(string name, ImageInput image, string fileName)
        {
            var part = new ReadOnlyMemoryContent(image.Data);
            part.Headers.ContentType = new MediaTypeHeaderValue(image.ContentType);
            form.Add(part, name, fileName);
        }

        var gptImage = OpenAIModels.IsGptImage(model);
        var field = gptImage || request.Inputs.Count > 1 ? "image[]" : "image";
        for (var i = 0; i < request.Inputs.Count; i++)
        {
            var input = request.Inputs[i];
            File(field, input, $"image-{i + 1}.{input.ContentType["image/".Length..]}");
        }

        if (request.Mask is { } mask)
        {
            File("mask", mask, "mask.png");
        }

        Field("prompt", request.Prompt);
        Field("model", model);
        Field("n", request.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Field("size", $"{request.Width}x{request.Height}");
        if (OpenAIModels.Quality(model, request.Quality) is { } quality)
        {
            Field("quality", quality);
        }

        if (!gptImage)
        {
            Field("response_format", "b64_json");
        }

        return form;
    }

    private OpenAIWire.ImageGenerationRequest BuildImageRequest(string model, ImageRequest request)
    {
        if (OpenAIModels.IsFlux(model, _flavor))
        {
            return new OpenAIWire.ImageGenerationRequest
            {
                Model = model,
                Prompt = request.Prompt,
                ImageSize = new OpenAIWire.ImageSize(request.Width, request.Height),
                NumImages = request.Count,
                Seed = request.Seed,
            };
        }

        // gpt-image models always answer with b64_json and reject response_format; everything else is asked for
        // b64_json so the gateway holds the bytes instead of an expiring link.
        return new OpenAIWire.ImageGenerationRequest
        {
            Model = model,
            Prompt = request.Prompt,
            N = request.Count,
            Size = $"{request.Width}x{request.Height}",
            ResponseFormat = OpenAIModels.IsGptImage(model) ? null : "b64_json",
            Quality = OpenAIModels.Quality(model, request.Quality),
            Style = model == "dall-e-3" ? request.Style : null,
        };
    }

    private async ValueTask<(byte[] Bytes, ProviderFailure? Failure)> ImageBytesAsync(Base64Payload? base64, string? url, CancellationToken cancellationToken)
    {
        if (base64 is not null && base64.Bytes is not { Length: 0 })
        {
            return base64.Bytes is { } decoded ? (decoded, null) : ([], BadResponse("an image's b64_json is not valid base64"));
        }

        if (string.IsNullOrEmpty(url))
        {
            return ([], BadResponse("an image has neither b64_json nor url"));
        }

        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            return comma > 0 && Base64PayloadConverter.Decode(url[(comma + 1)..]) is { } inline ? (inline, null) : ([], BadResponse("an image's data: URL is not valid base64"));
        }

        return await DownloadAsync(url, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetches an image the upstream returned as a link: bounded in size and time, without the API key (the link may be
    /// on another host). Any failure is <c>unavailable</c> at step <c>download</c>, code <c>download_failed</c>.
    /// </summary>
    private async ValueTask<(byte[] Bytes, ProviderFailure? Failure)> DownloadAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return ([], DownloadFailed("the image link is not an http(s) URL", null));
        }

        // Signed links carry their signature in the query: only scheme, host and path go into messages.
        var shown = uri.GetLeftPart(UriPartial.Path);
        using var timeout = new CancellationTokenSource(_options.DownloadTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            // The API client follows no redirects (a redirecting API is a wrong base_url); image links may redirect (CDNs),
            // so the download follows up to MaxDownloadRedirects itself, always with a GET and never with the key.
            var response = await GetImageAsync(uri, linked.Token).ConfigureAwait(false);
            for (var redirects = 0; IsRedirect(response) && response.Headers.Location is { } location; redirects++)
            {
                response.Dispose();
                if (redirects == MaxDownloadRedirects)
                {
                    return ([], DownloadFailed($"downloading {shown} was redirected more than {MaxDownloadRedirects} times", null));
                }

                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
                {
                    return ([], DownloadFailed($"downloading {shown} was redirected to a link that is not http(s)", null));
                }

                response = await GetImageAsync(uri, linked.Token).ConfigureAwait(false);
            }

            using var answered = response;
            if (!response.IsSuccessStatusCode)
            {
                return ([], DownloadFailed($"downloading {shown} answered HTTP {(int)response.StatusCode}", null));
            }

            var bytes = await ReadBytesAsync(response.Content, _options.MaxDownloadBytes, linked.Token).ConfigureAwait(false);
            return bytes is null
                ? ([], DownloadFailed($"the image at {shown} is larger than {_options.MaxDownloadBytes / (1024 * 1024)} MB", null))
                : (bytes, null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException)
        {
            return ([], DownloadFailed($"downloading {shown} took longer than {Configuration.Duration.Format(_options.DownloadTimeout)}", null));
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException)
        {
            return ([], DownloadFailed($"downloading {shown} failed: {OpenAIErrorMapper.Clean(exception.Message, null)}", null));
        }
    }

    private async Task<HttpResponseMessage> GetImageAsync(Uri uri, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("image/*"));
        return await _http().SendStreamingAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static bool IsRedirect(HttpResponseMessage response) =>
        (int)response.StatusCode is 301 or 302 or 303 or 307 or 308;

    private ProviderFailure DownloadFailed(string message, int? status)
    {
        Log.DownloadFailed(_logger, Name, message);
        return new ProviderFailure { Class = ErrorClass.Unavailable, Message = $"{Name}: {message}", HttpStatus = status, Code = "download_failed", Step = "download" };
    }
}
