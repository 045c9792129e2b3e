namespace Switchyard.Generation;

/// <summary>What a failed attempt met. The wire names are part of the contract.</summary>
public enum ErrorClass
{
    /// <summary>401/403 from the provider: never retried, the provider is flagged.</summary>
    Auth,

    /// <summary>429: retried after Retry-After or backoff.</summary>
    RateLimited,

    /// <summary>A content-policy refusal: not retried on that provider.</summary>
    ContentRejected,

    /// <summary>The caller's fault: returned to the client as a 4xx without fallback.</summary>
    InvalidRequest,

    /// <summary>The attempt ran out of time.</summary>
    Timeout,

    /// <summary>5xx, connection failures and empty output.</summary>
    Unavailable,

    /// <summary>A missing secret, binding or base URL.</summary>
    Misconfigured,

    /// <summary>The caller went away or the request was cancelled.</summary>
    Cancelled,
}
