namespace Switchyard.Keys;

/// <summary>Which of a key's limits refused a request.</summary>
public enum KeyLimitKind
{
    /// <summary>Requests per minute (<c>--rpm</c>).</summary>
    RequestsPerMinute,

    /// <summary>Requests at once (<c>--concurrency</c>).</summary>
    Concurrency,

    /// <summary>Runs per UTC day (<c>--daily-quota</c>).</summary>
    DailyQuota,
}
