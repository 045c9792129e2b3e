using System.Net;
using System.Net.Sockets;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Providers.Tests.OpenAI;

internal static class OpenAITestProviders
{
    public const string Key = "sk-test-emulator-0123456789abcdef";

    public static ProviderConfig Config(
        string type = "openai",
        string? baseUrl = null,
        string? key = Key,
        Dictionary<string, string>? settings = null,
        Dictionary<Modality, IReadOnlyList<string>>? models = null,
        IReadOnlyList<string>? missing = null,
        string name = "openai") => new()
        {
            Name = name,
            Type = type,
            BaseUrl = baseUrl,
            ApiKey = key is null && missing is null ? null : new Secret("OPENAI_API_KEY", key),
            Settings = settings ?? [],
            Models = models ?? [],
            MissingSecrets = missing ?? [],
        };

    public static IProviderFactory Factory(string type) => type switch
    {
        "aimlapi" => new AimlApiProviderFactory(),
        _ => new OpenAIProviderFactory(type),
    };

    public static IGenerationProvider Create(ProviderConfig config) => Factory(config.Type).Create(config, new EmptyServices());

    public static IGenerationProvider Create(string baseUrl, string type = "openai", string? key = Key, Dictionary<string, string>? settings = null) =>
        Create(Config(type, baseUrl, key, settings));

    /// <summary>A loopback port nothing listens on.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
