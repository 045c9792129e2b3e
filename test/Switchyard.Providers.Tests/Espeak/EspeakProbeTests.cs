using Switchyard.Configuration;
using Switchyard.Providers.Espeak;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Tests.Espeak;

/// <summary>The local probe: <c>espeak-ng --version</c>, no synthesis.</summary>
public sealed class EspeakProbeTests
{
    private static readonly ProviderConfig Config = new() { Name = "espeak", Type = EspeakProviderFactory.TypeName };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static IProviderProbe Probe(Func<string, string?> findProgram) =>
        Assert.IsAssignableFrom<IProviderProbe>(new EspeakProviderFactory(findProgram).Create(Config, new EmptyServices()));

    [Fact]
    public async Task Installed_OkWithVersion_Or_NotInstalledWithHint()
    {
        var result = await Probe(ProgramLocator.Find).ProbeAsync(Ct);

        if (ProgramLocator.Find("espeak-ng") is { } path)
        {
            Assert.True(result.Ok, result.Detail);
            Assert.Contains("eSpeak NG", result.Detail, StringComparison.Ordinal);
            Assert.EndsWith($"at {path}", result.Detail, StringComparison.Ordinal);
            Assert.Equal(["espeak-ng"], result.ServedModels);
        }
        else
        {
            Assert.False(result.Ok);
            Assert.Contains("apt-get install espeak-ng", result.Fix, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Missing_NotOk_WithInstallHint()
    {
        var result = await Probe(_ => null).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.Equal("espeak-ng is not installed (not found on PATH)", result.Detail);
        Assert.StartsWith("apt-get install espeak-ng", result.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BrokenProgram_NotOk_SayingItDoesNotRun()
    {
        var result = await Probe(name => name == "espeak-ng" ? "/bin/false" : null).ProbeAsync(Ct);

        Assert.False(result.Ok);
        Assert.StartsWith("espeak-ng at /bin/false does not run", result.Detail, StringComparison.Ordinal);
    }
}
