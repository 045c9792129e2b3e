using Microsoft.Extensions.Time.Testing;
using Switchyard.Providers.Media;

namespace Switchyard.Providers.Tests.Media;

// Uses coreutils programs (cat, false, sleep) as stand-ins for the encoders.
public sealed class ExternalProgramTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task RunAsync_LargeInput_PipesThroughWithoutDeadlock()
    {
        var input = new byte[4 * 1024 * 1024];
        new Random(1).NextBytes(input);

        var output = await ExternalProgram.RunAsync(Find("cat"), [], input, TimeSpan.FromSeconds(30), TimeProvider.System, Ct);

        Assert.Equal(input, output);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_Throws()
    {
        var exception = await Assert.ThrowsAsync<AudioEncodingException>(() =>
            ExternalProgram.RunAsync(Find("false"), [], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(30), TimeProvider.System, Ct));

        Assert.Contains("'false' exited with code 1", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MissingProgram_Throws()
    {
        var exception = await Assert.ThrowsAsync<AudioEncodingException>(() =>
            ExternalProgram.RunAsync("/nonexistent/lame", [], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(30), TimeProvider.System, Ct));

        Assert.Contains("could not start 'lame'", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OutlivesTimeout_KilledAndThrows()
    {
        var time = new FakeTimeProvider();

        var task = ExternalProgram.RunAsync(Find("sleep"), ["30"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(5), time, Ct);
        Assert.False(task.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(5));

        var exception = await Assert.ThrowsAsync<AudioEncodingException>(() => task);
        Assert.Contains("did not finish within 5s", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var task = ExternalProgram.RunAsync(Find("sleep"), ["30"], ReadOnlyMemory<byte>.Empty, TimeSpan.FromSeconds(60), TimeProvider.System, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    private static string Find(string program) =>
        ProgramLocator.Find(program) ?? throw new InvalidOperationException($"'{program}' (coreutils) is not on PATH");
}
