using System.Security.Cryptography;

namespace Switchyard.Ui;

/// <summary>The dashboard's stylesheet and script, embedded in the executable and served by the gateway (no CDN).</summary>
internal static class UiAssets
{
    private static readonly Asset Style = Load("dashboard.css", "text/css; charset=utf-8");
    private static readonly Asset Script = Load("dashboard.js", "text/javascript; charset=utf-8");

    /// <summary>The stylesheet's path; its version changes with its content, so it may be cached for long.</summary>
    public static string StylePath => $"/ui/assets/dashboard.css?v={Style.Version}";

    public static string ScriptPath => $"/ui/assets/dashboard.js?v={Script.Version}";

    public static void MapAssets(this RouteGroupBuilder ui) => ui.MapGet("/assets/{name}", (string name, HttpContext http) =>
    {
        var asset = name switch
        {
            "dashboard.css" => Style,
            "dashboard.js" => Script,
            _ => null,
        };
        if (asset is null)
        {
            return Results.NotFound();
        }

        http.Response.Headers.CacheControl = "public, max-age=86400";
        return Results.Bytes(asset.Content, asset.ContentType, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{asset.Version}\""));
    });

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(UiAssets).Assembly.GetManifestResourceStream("ui/" + name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is not embedded.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var content = buffer.ToArray();
        return new Asset(content, contentType, Convert.ToHexStringLower(SHA256.HashData(content))[..12]);
    }

    private sealed record Asset(byte[] Content, string ContentType, string Version);
}
