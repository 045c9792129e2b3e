namespace Switchyard.Generation;

/// <summary>Either a provider's output or the failure it met.</summary>
/// <typeparam name="T">The output type.</typeparam>
public readonly struct ProviderResult<T>
    where T : class
{
    /// <summary>A success.</summary>
    public ProviderResult(T value)
    {
        Value = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>A failure.</summary>
    public ProviderResult(ProviderFailure failure)
    {
        Failure = failure ?? throw new ArgumentNullException(nameof(failure));
    }

    /// <summary>The output, when the call succeeded.</summary>
    public T? Value { get; }

    /// <summary>The failure, when it did not.</summary>
    public ProviderFailure? Failure { get; }

    /// <summary>Whether the call succeeded.</summary>
    public bool Succeeded => Value is not null;

    /// <summary>A failure.</summary>
    public static implicit operator ProviderResult<T>(ProviderFailure failure) => new(failure);

    /// <summary>A success.</summary>
    public static implicit operator ProviderResult<T>(T value) => new(value);
}
