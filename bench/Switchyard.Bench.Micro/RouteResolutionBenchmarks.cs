using BenchmarkDotNet.Attributes;
using Switchyard.Configuration;
using Switchyard.Generation;
using Switchyard.Routing;

namespace Switchyard.Bench.Micro;

/// <summary><see cref="RouteTable.Resolve"/> for a route, a preset and an unknown name.</summary>
[MemoryDiagnoser]
public class RouteResolutionBenchmarks
{
    private RouteTable _routes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var routes = new Dictionary<string, RouteConfig>();
        for (var i = 0; i < 20; i++)
        {
            var name = i == 0 ? "chat" : $"route-{i}";
            routes[name] = new RouteConfig { Name = name, Modality = i % 2 == 0 ? Modality.Text : Modality.Image, Chain = [new RouteStep("upstream", "gpt-4o-mini")] };
        }

        var config = new SwitchyardConfig
        {
            Storage = new StorageConfig { Database = "sqlite:x", Artifacts = "file:x" },
            Server = new ServerConfig(),
            Providers = new Dictionary<string, ProviderConfig>(),
            Routes = routes,
            Presets = new Dictionary<string, PresetConfig> { ["enhance"] = new PresetConfig { Name = "enhance", Route = "route-1", Prompt = "Enhance." } },
            Outbound = new OutboundConfig(),
        };
        _routes = new RouteTable(config, new ProviderRegistry([]));
    }

    [Benchmark]
    public ResolvedRoute? Route() => _routes.Resolve("chat", Modality.Text);

    [Benchmark]
    public ResolvedRoute? Preset() => _routes.Resolve("enhance", Modality.Image);

    [Benchmark]
    public ResolvedRoute? Unknown() => _routes.Resolve("gpt-5-turbo", Modality.Text);
}
