namespace Switchyard.Keys;

/// <summary>
/// The answer of <see cref="IKeyLimiter"/>: admitted (dispose it when the request ends, to free its
/// concurrency slot) or refused by one limit, with when to retry.
/// </summary>
public sealed class KeyAdmission : IDisposable
{
    private IDisposable? _lease;

    private KeyAdmission(IDisposable? lease, KeyLimitKind? refusedBy, int? limit, TimeSpan retryAfter)
    {
        _lease = lease;
        RefusedBy = refusedBy;
        Limit = limit;
        RetryAfter = retryAfter;
    }

    /// <summary>An admission that holds nothing (a key without limits).</summary>
    public static KeyAdmission Unlimited { get; } = new(null, null, null, TimeSpan.Zero);

    /// <summary>Whether the request may go on.</summary>
    public bool Admitted => RefusedBy is null;

    /// <summary>The limit that refused it, or null when admitted.</summary>
    public KeyLimitKind? RefusedBy { get; }

    /// <summary>The value of that limit.</summary>
    public int? Limit { get; }

    /// <summary>When a retry may succeed (for <c>Retry-After</c>).</summary>
    public TimeSpan RetryAfter { get; }

    /// <summary>An admission holding <paramref name="lease"/> (a concurrency slot), released on dispose.</summary>
    public static KeyAdmission Admit(IDisposable? lease) => lease is null ? Unlimited : new(lease, null, null, TimeSpan.Zero);

    /// <summary>A refusal by <paramref name="kind"/>.</summary>
    public static KeyAdmission Refuse(KeyLimitKind kind, int limit, TimeSpan retryAfter) => new(null, kind, limit, retryAfter);

    /// <inheritdoc />
    public void Dispose() => Interlocked.Exchange(ref _lease, null)?.Dispose();
}
