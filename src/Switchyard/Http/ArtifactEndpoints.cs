using Switchyard.Artifacts;

namespace Switchyard.Http;

/// <summary><c>GET /v1/artifacts/{id}</c>: with a valid signed link, or with the owner's API key.</summary>
internal static class ArtifactEndpoints
{
    public static void MapArtifactEndpoints(this IEndpointRouteBuilder app) => app.MapGet("/v1/artifacts/{id}", GetArtifactAsync);

    private static async Task<IResult> GetArtifactAsync(string id, HttpContext http, IArtifactStore store, ArtifactLinks links, ApiKeyFilter authenticator)
    {
        var query = http.Request.Query;
        var signed = query.ContainsKey("sig");
        var info = await store.GetInfoAsync(id, http.RequestAborted);
        if (signed)
        {
            if (!links.Verify(id, query["expires"], query["sig"]))
            {
                return ErrorResults.Error(403, new ErrorBody("This artifact link is invalid or has expired; request the artifact again or use your API key.", "invalid_request_error", null, "invalid_signature"), null);
            }
        }
        else
        {
            if (await authenticator.AuthenticateAsync(http) is { } unauthorized)
            {
                return unauthorized;
            }

            var caller = CallerKey.From(http);
            if (info is not null && info.OwnerKeyId != caller.Id && !caller.IsAdmin)
            {
                info = null;
            }
        }

        if (info is null || await store.OpenReadAsync(id, http.RequestAborted) is not { } content)
        {
            return ErrorResults.Error(404, new ErrorBody($"No artifact '{id}'.", "invalid_request_error", "id", "artifact_not_found"), null);
        }

        return Results.Stream(content, info.ContentType, enableRangeProcessing: true);
    }
}
