namespace Switchyard.Outbound;

/// <summary>A URL the gateway refused to fetch or call, with the reason (for a 4xx naming the field, or a webhook delivery error).</summary>
public sealed class OutboundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboundException(string message)
        : base(message)
    {
    }

    /// <summary>
    /// True when the gateway itself refused the URL (its scheme, credentials in it, or an address the
    /// <see cref="AddressPolicy"/> blocks): another try would meet the same refusal. False for failures
    /// reaching the host, which a later try may not meet.
    /// </summary>
    public bool IsRefused { get; init; }

    /// <summary>Creates the exception.</summary>
    public OutboundException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public OutboundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
