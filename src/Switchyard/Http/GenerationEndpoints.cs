using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Artifacts;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Routing;

namespace Switchyard.Http;

/// <summary>The OpenAI-compatible generation endpoints.</summary>
internal static partial class GenerationEndpoints
{
    public static RouteGroupBuilder MapGenerationEndpoints(this IEndpointRouteBuilder app)
    {
        // The registered singleton, so every endpoint shares its cache of verified keys (AddEndpointFilter<T> would make one per endpoint).
        var authenticator = app.ServiceProvider.GetRequiredService<ApiKeyFilter>();
        var v1 = app.MapGroup("/v1").AddEndpointFilter(authenticator);
        v1.MapPost("/images/generations", CreateImageAsync);
        v1.MapPost("/images/edits", CreateImageEditAsync);
        v1.MapPost("/chat/completions", CreateChatCompletionAsync);
        v1.MapPost("/audio/speech", CreateSpeechAsync);
        v1.MapGet("/models", ListModels);
        return v1;
    }

    private static async Task<IResult> CreateImageAsync(HttpContext http, GatewayServices services)
    {
        var call = await services.BeginAsync(http, Modality.Image, "images.generations");
        using var body = call.Document;
        if (call.Problem is not null)
        {
            return await services.RejectAsync(http, call, null, call.Problem);
        }

        var (parsed, problem) = GenerationRequests.Image(new JsonRequest(body!.RootElement), services.Config.Server);
        if (problem is not null)
        {
            return await services.RejectAsync(http, call, ModelOf(body), problem);
        }

        return await ServeImageAsync(http, services, call, parsed!);
    }

    /// <summary>The common part of generations and edits: route, prompt rules, preset, the run, the response.</summary>
    private static async Task<IResult> ServeImageAsync(HttpContext http, GatewayServices services, IncomingCall call, GenerationRequests.ParsedImage parsed)
    {
        var model = parsed.Model ?? "image";
        if (services.Resolve(call, model, Modality.Image) is not { } route)
        {
            return await services.RejectAsync(http, call, model, UnknownModel(model, Modality.Image));
        }

        var prompt = parsed.Request.Prompt;
        if (services.CheckPrompt(route, "prompt", ref prompt) is { } rejected)
        {
            return await services.RejectAsync(http, call, model, rejected);
        }

        var request = PresetTemplates.Apply(route.Preset, parsed.Request with { Prompt = prompt });
        var operation = new ImageOperation(request, services.Validator, parsed.WantsUrl ? services.Artifacts : null, call.Key.Id);
        var runRequest = GatewayServices.RunRequest(call, route, model, request.Prompt, ImageSummary(request, parsed.WantsUrl));
        using var admission = await services.AdmitAsync(http, call);
        if (!admission.Admitted)
        {
            return await services.RefuseAsync(http, runRequest, admission);
        }

        var result = await services.Engine.ExecuteAsync(runRequest, operation, http.RequestAborted);
        RunHeaders.Apply(http.Response, result.Run, result.Attempts, result.CacheHit);
        if (result.Error is { } error)
        {
            return ErrorResults.From(error, result.Run.Id);
        }

        var size = $"{request.Width}x{request.Height}";
        var created = services.Time.GetUtcNow().ToUnixTimeSeconds();
        var echoedSize = SchemaSizes.Contains(size) ? size : null;
        if (!parsed.WantsUrl)
        {
            return new ImagesJsonResult(created, result.Output!.Images, echoedSize, "png");
        }

        var data = new List<ImageData>(result.Output!.Images.Count);
        for (var i = 0; i < result.Output.Images.Count; i++)
        {
            data.Add(new ImageData(null, GatewayServices.AbsoluteUrl(http, services.Links.CreatePath(operation.Artifacts[i].Id)), result.Output.Images[i].RevisedPrompt));
        }

        return Results.Json(new ImagesResponse(created, data, echoedSize, "png"), WireJsonContext.Wire.ImagesResponse);
    }

    // OpenAI's ImagesResponse.size only names these; other sizes are served but not echoed.
    private static readonly string[] SchemaSizes = ["1024x1024", "1024x1536", "1536x1024"];

    private static async Task<IResult> CreateSpeechAsync(HttpContext http, GatewayServices services)
    {
        var call = await services.BeginAsync(http, Modality.Speech, "audio.speech");
        using var body = call.Document;
        if (call.Problem is not null)
        {
            return await services.RejectAsync(http, call, null, call.Problem);
        }

        var (parsed, problem) = GenerationRequests.Speech(new JsonRequest(body!.RootElement), services.Config.Server);
        if (problem is not null)
        {
            return await services.RejectAsync(http, call, ModelOf(body), problem);
        }

        var model = parsed!.Model ?? "speech";
        if (services.Resolve(call, model, Modality.Speech) is not { } route)
        {
            return await services.RejectAsync(http, call, model, UnknownModel(model, Modality.Speech));
        }

        var input = parsed.Request.Input;
        if (services.CheckPrompt(route, "input", ref input) is { } rejected)
        {
            return await services.RejectAsync(http, call, model, rejected);
        }

        var request = parsed.Request with { Input = input };
        var summary = JsonSerializer.Serialize(new Dictionary<string, string> { ["format"] = request.Format.ToWire(), ["voice"] = request.Voice });
        var runRequest = GatewayServices.RunRequest(call, route, model, request.Input, summary);
        using var admission = await services.AdmitAsync(http, call);
        if (!admission.Admitted)
        {
            return await services.RefuseAsync(http, runRequest, admission);
        }

        var result = await services.Engine.ExecuteAsync(runRequest, new SpeechOperation(request, services.Validator), http.RequestAborted);
        RunHeaders.Apply(http.Response, result.Run, result.Attempts, result.CacheHit);
        return result.Error is { } error
            ? ErrorResults.From(error, result.Run.Id)
            : Results.Bytes(result.Output!.Audio, result.Output.Format.ContentType());
    }

    private static IResult ListModels(HttpContext http, GatewayServices services)
    {
        var created = services.StartedAt.ToUnixTimeSeconds();
        var limits = CallerKey.From(http).Limits;
        var models = services.Routes.CallableModels().Where(m => limits.AllowsModel(m.Id)).Select(m => new ModelEntry(m.Id, created, m.OwnedBy)).ToList();
        return Results.Json(new ModelList(models), WireJsonContext.Wire.ModelList);
    }

    private static RequestProblem UnknownModel(string model, Modality modality) =>
        new(404, $"The model '{model}' does not exist or is not {(modality == Modality.Image ? "an" : "a")} {modality.ToWire()} route, preset or provider/model; GET /v1/models lists what you may call.", "model", "model_not_found");

    private static string? ModelOf(JsonDocument body) =>
        body.RootElement.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null;

    // The ledger's request summary, written with a Utf8JsonWriter (the same JSON the reflection serializer made of a dictionary).
    private static string ImageSummary(ImageRequest request, bool wantsUrl)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            if (request.IsEdit)
            {
                json.WriteStartArray("inputs");
                foreach (var input in request.Inputs)
                {
                    json.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"{input.ContentType} {input.Width}x{input.Height} {input.Data.Length}B"));
                }

                json.WriteEndArray();
            }
            else
            {
                json.WriteNull("inputs");
            }

            if (request.Mask is { } mask)
            {
                json.WriteString("mask", string.Create(CultureInfo.InvariantCulture, $"{mask.Width}x{mask.Height}"));
            }
            else
            {
                json.WriteNull("mask");
            }

            WriteNumberOrNull(json, "strength", request.Strength);
            json.WriteNumber("n", request.Count);
            json.WriteString("size", string.Create(CultureInfo.InvariantCulture, $"{request.Width}x{request.Height}"));
            json.WriteString("response_format", wantsUrl ? "url" : "b64_json");
            json.WriteString("quality", request.Quality);
            json.WriteString("style", request.Style);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
