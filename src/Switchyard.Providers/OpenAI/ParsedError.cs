namespace Switchyard.Providers.OpenAI;

/// <summary>The fields of an upstream error body, whichever shape it came in; null where absent.</summary>
/// <param name="Message">What the upstream said.</param>
/// <param name="Type">OpenAI's <c>type</c> (e.g. <c>invalid_request_error</c>, <c>insufficient_quota</c>).</param>
/// <param name="Param">The offending request field.</param>
/// <param name="Code">The machine-readable code (e.g. <c>content_policy_violation</c>).</param>
internal readonly record struct ParsedError(string? Message, string? Type, string? Param, string? Code);
