using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Switchyard.Tests.Common.Time;

/// <summary>A fake clock that tells when code under test starts a timer, so a test advances time only once the wait is in place.</summary>
public sealed class WatchedTimeProvider : FakeTimeProvider
{
    private readonly Channel<TimeSpan> _timers = Channel.CreateUnbounded<TimeSpan>();

    public WatchedTimeProvider()
        : this(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero))
    {
    }

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
    public async Task WaitForTimerAsync(TimeSpan due) => await WaitForTimerAsync(d => d == due);

    /// <summary>Waits (bounded by the test's timeout) until a timer whose due time matches is created; returns its due time.</summary>
    public async Task<TimeSpan> WaitForTimerAsync(Func<TimeSpan, bool> match)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        bound.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var due = await _timers.Reader.ReadAsync(bound.Token);
            if (match(due))
            {
                return due;
            }
        }
    }
}
