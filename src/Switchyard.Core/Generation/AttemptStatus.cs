namespace Switchyard.Generation;

/// <summary>The state of one call to one provider.</summary>
public enum AttemptStatus
{
    /// <summary>Written before the upstream call, so a crash leaves evidence.</summary>
    Started,

    /// <summary>The provider answered with usable output.</summary>
    Success,

    /// <summary>The provider failed; the error class says how.</summary>
    Failed,

    /// <summary>The attempt was not made; the skip reason says why.</summary>
    Skipped,
}
