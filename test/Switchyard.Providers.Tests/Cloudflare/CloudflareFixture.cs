using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.Cloudflare;
using Switchyard.Providers.Tests.Emulators;

namespace Switchyard.Providers.Tests.Cloudflare;

internal static class CloudflareFixture
{
    public static ProviderConfig Config(
        string baseUrl,
        string accountId = CloudflareEmulator.Account,
        string? token = CloudflareEmulator.Token,
        IReadOnlyList<string>? missing = null,
        Dictionary<Modality, IReadOnlyList<string>>? models = null) => new()
    {
        Name = "cf",
        Type = CloudflareWorkersAiProviderFactory.TypeName,
        BaseUrl = baseUrl,
        ApiKey = new Secret("CLOUDFLARE_API_TOKEN", token),
        Settings = new Dictionary<string, string> { ["account_id"] = accountId },
        MissingSecrets = missing ?? [],
        Models = models ?? [],
    };

    public static CloudflareWorkersAiProvider Provider(ProviderConfig config, TimeProvider? time = null) =>
        new(config, CloudflareWorkersAiOptions.FromConfig(config), new HttpClient(), time ?? TimeProvider.System);

    public static CloudflareWorkersAiProvider Provider(CloudflareEmulator emulator, TimeProvider? time = null) =>
        Provider(Config(emulator.BaseUrl), time);

    public static ImageRequest Image(string prompt = "a lighthouse at dusk", int width = 512, int height = 512, long? seed = null, string? negative = null) =>
        new() { Prompt = prompt, Width = width, Height = height, Seed = seed, NegativePrompt = negative };
}
