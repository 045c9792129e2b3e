using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Generation;

namespace Switchyard.Http;

internal static partial class GenerationEndpoints
{
    private const int MaxInputImages = 16;
    private static readonly string[] NumericFormFields = ["n", "seed", "strength"];

    /// <summary>
    /// <c>POST /v1/images/edits</c>: OpenAI's multipart form (<c>image</c> or <c>image[]</c> files, <c>mask</c>,
    /// <c>prompt</c>, …) or a JSON body whose <c>image</c> (one or a list) and <c>mask</c> are data URLs, base64 or
    /// http(s) URLs (<c>image_url</c> is accepted too). Presets with a <c>strength</c> apply it.
    /// </summary>
    private static async Task<IResult> CreateImageEditAsync(HttpContext http, GatewayServices services, ImageInputReader inputs)
    {
        IncomingCall call;
        IFormFileCollection? files = null;
        if (http.Request.HasFormContentType)
        {
            (call, files) = await BeginFormAsync(http, services);
        }
        else
        {
            call = await services.BeginAsync(http, Modality.Image, "images.edits", acceptsUploads: true);
        }

        using var body = call.Document;
        if (call.Problem is not null)
        {
            return await services.RejectAsync(http, call, null, call.Problem);
        }

        var json = new JsonRequest(body!.RootElement);
        var (parsed, problem) = GenerationRequests.Image(json, services.Config.Server, edit: true);
        if (problem is not null)
        {
            return await services.RejectAsync(http, call, ModelOf(body), problem);
        }

        var images = new List<ImageInput>();
        ImageInput? mask = null;
        foreach (var (param, file, text) in Sources(body.RootElement, files, "image", "image[]", "image_url"))
        {
            if (images.Count == MaxInputImages)
            {
                return await services.RejectAsync(http, call, parsed!.Model, RequestProblem.Field("image", $"at most {MaxInputImages} input images"));
            }

            var (image, bad) = file is not null ? await inputs.FromUploadAsync(file, param, http.RequestAborted) : await inputs.FromTextAsync(text!, param, http.RequestAborted);
            if (bad is not null)
            {
                return await services.RejectAsync(http, call, parsed!.Model, bad);
            }

            images.Add(image!);
        }

        if (images.Count == 0)
        {
            return await services.RejectAsync(http, call, parsed!.Model, RequestProblem.Field("image", "'image' is required: upload it, or send a base64 data URL or an http(s) URL", "missing_required_parameter"));
        }

        foreach (var (param, file, text) in Sources(body.RootElement, files, "mask"))
        {
            var (image, bad) = file is not null ? await inputs.FromUploadAsync(file, param, http.RequestAborted) : await inputs.FromTextAsync(text!, param, http.RequestAborted);
            if (bad is not null)
            {
                return await services.RejectAsync(http, call, parsed!.Model, bad);
            }

            mask = image;
        }

        var request = parsed!.Request with { Inputs = images, Mask = mask };
        if (!json.Has("size"))
        {
            // Without a size, an edit keeps the first input's size (as OpenAI's "auto" does).
            request = request with { Width = images[0].Width, Height = images[0].Height };
        }

        return await ServeImageAsync(http, services, call, parsed with { Request = request });
    }

    /// <summary>Reads a multipart edit: its text fields become a JSON object (so they are checked like a JSON body), its files are kept.</summary>
    private static async Task<(IncomingCall Call, IFormFileCollection? Files)> BeginFormAsync(HttpContext http, GatewayServices services)
    {
        var runId = RunIds.New(services.Time);
        var key = CallerKey.From(http);
        var max = services.Config.Server.MaxRequestBytes;
        if (http.Request.ContentLength > max)
        {
            return (new IncomingCall(runId, key, Modality.Image, "images.edits", null, RequestBody.TooLarge(max, "server.max_request_bytes"), null), null);
        }

        IFormCollection form;
        try
        {
            http.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize = max;
            form = await http.Request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = max, ValueLengthLimit = (int)Math.Min(max, int.MaxValue) }, http.RequestAborted);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (new IncomingCall(runId, key, Modality.Image, "images.edits", null, RequestBody.TooLarge(max, "server.max_request_bytes"), null), null);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            return (new IncomingCall(runId, key, Modality.Image, "images.edits", null, new RequestProblem(400, $"The multipart body could not be read: {ex.Message}", null, "invalid_multipart"), null), null);
        }

        var fields = new JsonObject();
        foreach (var (name, values) in form)
        {
            var value = values.ToString();
            // NaN and infinities parse as doubles but are no JSON numbers: they stay text, and the field check names them.
            fields[name] = NumericFormFields.Contains(name) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
                ? (number == Math.Floor(number) && Math.Abs(number) < 1e15 ? JsonValue.Create((long)number) : JsonValue.Create(number))
                : JsonValue.Create(value);
        }

        var document = JsonDocument.Parse(fields.ToJsonString());
        return (new IncomingCall(runId, key, Modality.Image, "images.edits", document, null, null), form.Files);
    }

    /// <summary>Every input under the given names: uploaded files first, then text values (strings or arrays of strings).</summary>
    private static IEnumerable<(string Param, IFormFile? File, string? Text)> Sources(JsonElement body, IFormFileCollection? files, params string[] names)
    {
        foreach (var name in names)
        {
            foreach (var file in files?.GetFiles(name) ?? [])
            {
                yield return (name, file, null);
            }

            if (!body.TryGetProperty(name, out var value))
            {
                continue;
            }

            if (value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text)
            {
                yield return (name, null, text);
            }
            else if (value.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var item in value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.String && item.GetString() is { Length: > 0 } itemText)
                    {
                        yield return ($"{name}[{index}]", null, itemText);
                    }

                    index++;
                }
            }
        }
    }
}
