using Switchyard.Generation;

namespace Switchyard.Routing;

/// <summary>Why a run was not served, in the terms of the OpenAI error body.</summary>
/// <param name="HttpStatus">The status to answer with.</param>
/// <param name="Type">OpenAI's <c>type</c>, e.g. <c>invalid_request_error</c>.</param>
/// <param name="Code">A stable machine code.</param>
/// <param name="Message">What each attempt met.</param>
/// <param name="Param">The offending request field, or null.</param>
/// <param name="Class">The deciding error class.</param>
public sealed record RunError(int HttpStatus, string Type, string Code, string Message, string? Param, ErrorClass Class);
