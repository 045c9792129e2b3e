namespace Switchyard.Webhooks;

/// <summary>
/// The secrets a delivery's try is signed with (one, or two while a key's rotation overlap lasts), or why
/// there are none: <see cref="Problem"/> (never containing a secret) and whether a later try could find them.
/// </summary>
public sealed record SigningSecrets
{
    /// <summary>The <c>whsec_</c> secrets, current first; empty when <see cref="Problem"/> is set.</summary>
    public IReadOnlyList<string> Secrets { get; init; } = [];

    /// <summary>Why no secret could be found.</summary>
    public string? Problem { get; init; }

    /// <summary>Whether a later try may find it (a config secret missing until the next restart), rather than never.</summary>
    public bool Retryable { get; init; }
}
