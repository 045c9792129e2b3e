namespace Switchyard.Providers.Cloudflare;

/// <summary>The Workers AI models served without listing them in the config, and how each image model is called.</summary>
internal static class CloudflareModels
{
    public const string Flux = "@cf/black-forest-labs/flux-1-schnell";
    public const string Sdxl = "@cf/stabilityai/stable-diffusion-xl-base-1.0";
    public const string SdxlLightning = "@cf/bytedance/stable-diffusion-xl-lightning";
    public const string Dreamshaper = "@cf/lykon/dreamshaper-8-lcm";
    public const string Llama31 = "@cf/meta/llama-3.1-8b-instruct";
    public const string Llama33 = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
    public const string MeloTts = "@cf/myshell-ai/melotts";

    /// <summary>FLUX.1 [schnell] takes a prompt of at most this many characters.</summary>
    public const int FluxMaxPrompt = 2048;

    /// <summary>The Stable Diffusion models take sides from 256 to 2048 pixels.</summary>
    public const int MinSide = 256;

    /// <summary>The largest side the diffusion models take and the largest this adapter serves.</summary>
    public const int MaxSide = 2048;

    /// <summary>The smallest side this adapter serves (smaller requests are generated larger and scaled down).</summary>
    public const int MinServedSide = 64;

    public static IReadOnlyList<string> Image { get; } = [Flux, Sdxl, SdxlLightning, Dreamshaper];

    public static IReadOnlyList<string> Text { get; } = [Llama31, Llama33];

    public static IReadOnlyList<string> Speech { get; } = [MeloTts];

    /// <summary>
    /// The FLUX.1 [schnell] family takes only <c>prompt</c>, <c>steps</c> and <c>seed</c> and answers JSON with a base64 JPEG;
    /// the others (Stable Diffusion family) take <c>negative_prompt</c>, <c>width</c> and <c>height</c> too and answer raw PNG bytes.
    /// </summary>
    public static bool IsFluxFamily(string model) => model.Contains("/flux-1-schnell", StringComparison.OrdinalIgnoreCase);
}
