using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace Switchyard.Tests.Jobs;

/// <summary>A fake clock that tells when code under test starts a timer, so a test advances time only once the wait is in place.</summary>
internal sealed class WatchedTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public WatchedTimeProvider(DateTimeOffset start)
        : base(start)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        _timers.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (bounded by the test's timeout) until a timer whose due time is <paramref name="due"/> is created.</summary>
    public async Task WaitForTimerAsync(TimeSpan due)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        while (await _timers.Reader.ReadAsync(bound.Token) != due)
        {
        }
    }
}
