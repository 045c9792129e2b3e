using Switchyard.Generation;

namespace Switchyard.Alerts;

/// <summary>What the alert rules need of one attempt.</summary>
/// <param name="Provider">The provider tried.</param>
/// <param name="Status">How it ended.</param>
/// <param name="ErrorClass">What it met, when it failed.</param>
public readonly record struct AttemptSample(string Provider, AttemptStatus Status, ErrorClass? ErrorClass);
