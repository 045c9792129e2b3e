namespace Switchyard.Jobs;

/// <summary>Wakes idle job workers of this process when work may be there (a submit, a finished item), instead of waiting out the poll interval.</summary>
internal sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Dispose() => _signal.Dispose();

    public void Wake()
    {
        // A few permits are enough to wake every idle loop; more would only spin.
        if (_signal.CurrentCount < 64)
        {
            _signal.Release();
        }
    }

    /// <summary>Waits for a wake-up or <paramref name="timeout"/> on <paramref name="time"/>, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, time, linked.Token);
        var woken = _signal.WaitAsync(linked.Token);
        await Task.WhenAny(delay, woken);
        await linked.CancelAsync();
        await Task.WhenAll(delay, woken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        cancellationToken.ThrowIfCancellationRequested();
    }
}
