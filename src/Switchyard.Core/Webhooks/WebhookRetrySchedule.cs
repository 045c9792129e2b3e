namespace Switchyard.Webhooks;

/// <summary>
/// When a failed try is followed by the next: the Standard Webhooks recommended schedule (the first try
/// at once, then after 5 seconds, 5 minutes, 30 minutes, 2 hours, 5 hours, 10 hours and 10 hours), each
/// wait spread by up to ±10% so receivers that came back are not hit by every sender at once.
/// </summary>
public static class WebhookRetrySchedule
{
    /// <summary>The share by which a wait may be shortened or lengthened.</summary>
    public const double Jitter = 0.1;

    /// <summary>The waits after the first, second, … failed try; after the last one, it repeats.</summary>
    public static IReadOnlyList<TimeSpan> Delays { get; } =
    [
        TimeSpan.FromSeconds(5),
        TimeSpan.FromMinutes(5),
        TimeSpan.FromMinutes(30),
        TimeSpan.FromHours(2),
        TimeSpan.FromHours(5),
        TimeSpan.FromHours(10),
        TimeSpan.FromHours(10),
    ];

    /// <summary>The wait, before jitter, after the <paramref name="failedTries"/>-th failed try of a round (from 1).</summary>
    public static TimeSpan BaseDelay(int failedTries) =>
        Delays[Math.Clamp(failedTries, 1, Delays.Count) - 1];

    /// <summary>The wait after the <paramref name="failedTries"/>-th failed try, spread by <paramref name="unit"/> (0 to 1: from -10% to +10%).</summary>
    public static TimeSpan Delay(int failedTries, double unit) =>
        BaseDelay(failedTries) * (1 + (Jitter * ((2 * Math.Clamp(unit, 0, 1)) - 1)));
}
