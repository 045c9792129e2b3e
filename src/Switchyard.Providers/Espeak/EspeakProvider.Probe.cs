using Switchyard.Providers.Media;

namespace Switchyard.Providers.Espeak;

/// <summary>The probe of the local engine: <c>espeak-ng --version</c>, no synthesis.</summary>
internal sealed partial class EspeakProvider : IProviderProbe
{
    private static readonly TimeSpan VersionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Runs <c>espeak-ng --version</c>: ok with the version it prints and the one model it serves; not ok, with the install
    /// hint, when it is missing or does not run. Cancellation propagates.
    /// </summary>
    public async Task<ProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        if (_espeakPath is null)
        {
            return new ProbeResult(false, "espeak-ng is not installed (not found on PATH)", "apt-get install espeak-ng (or your system's package of it), then restart");
        }

        try
        {
            var output = await ExternalProgram.RunAsync(_espeakPath, ["--version"], ReadOnlyMemory<byte>.Empty, VersionTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            var line = System.Text.Encoding.UTF8.GetString(output).Split('\n', 2)[0].Trim();
            var dataAt = line.IndexOf("Data at:", StringComparison.Ordinal);
            var version = (dataAt > 0 ? line[..dataAt] : line).Trim();
            return new ProbeResult(true, $"{(version.Length > 0 ? version : "espeak-ng")} at {_espeakPath}", null, [Model]);
        }
        catch (AudioEncodingException exception)
        {
            Log.ProgramFailed(_logger, Name, "espeak-ng --version", exception.Message);
            return new ProbeResult(false, $"espeak-ng at {_espeakPath} does not run: {exception.Message}", "reinstall espeak-ng (apt-get install --reinstall espeak-ng espeak-ng-data)");
        }
    }
}
