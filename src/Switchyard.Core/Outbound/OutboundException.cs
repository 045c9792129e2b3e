namespace Switchyard.Outbound;

/// <summary>A URL the gateway refused to fetch or call, with the reason (for a 4xx naming the field, or a webhook delivery error).</summary>
public sealed class OutboundException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OutboundException(string message)
        : base(message)
    {
    }

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
